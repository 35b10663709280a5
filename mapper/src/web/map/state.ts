/** Map view state kept in the URL hash so every view is a permalink. */
export interface ViewState {
  lat: number;
  lng: number;
  zoom: number;
  hex: string | null;
  hotspot: string | null;
  window: 'all' | '24h' | '7d' | '30d';
  asOf: string | null;
}

export const DEFAULT_VIEW: ViewState = { lat: 20, lng: 0, zoom: 1.5, hex: null, hotspot: null, window: 'all', asOf: null };

export function readHash(hash: string): Partial<ViewState> {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Partial<ViewState> = {};
  const num = (k: string) => (p.has(k) && Number.isFinite(Number(p.get(k))) ? Number(p.get(k)) : undefined);
  const lat = num('lat');
  const lng = num('lng');
  const zoom = num('zoom');
  if (lat !== undefined && Math.abs(lat) <= 85) out.lat = lat;
  if (lng !== undefined && Math.abs(lng) <= 180) out.lng = lng;
  if (zoom !== undefined && zoom >= 0 && zoom <= 22) out.zoom = zoom;
  if (p.get('hex')) out.hex = p.get('hex');
  if (p.get('hotspot')) out.hotspot = p.get('hotspot');
  const w = p.get('window');
  if (w === '24h' || w === '7d' || w === '30d' || w === 'all') out.window = w;
  if (p.get('as_of')) out.asOf = p.get('as_of');
  return out;
}

export function writeHash(s: ViewState): string {
  const p = new URLSearchParams();
  p.set('lat', s.lat.toFixed(5));
  p.set('lng', s.lng.toFixed(5));
  p.set('zoom', s.zoom.toFixed(2));
  if (s.hex) p.set('hex', s.hex);
  if (s.hotspot) p.set('hotspot', s.hotspot);
  if (s.asOf) p.set('as_of', s.asOf);
  else if (s.window !== 'all') p.set('window', s.window);
  return `#${p.toString()}`;
}

/** Query-string fragment for the API's time filter. */
export function timeParams(s: ViewState): string {
  if (s.asOf) return `&as_of=${encodeURIComponent(s.asOf)}`;
  return s.window === 'all' ? '' : `&window=${s.window}`;
}
