import { iso31661NumericToAlpha2 } from 'iso-3166';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/** One polygon of a country (an island, a mainland), flattened for fast point tests. */
export interface CountryPart {
  country: string;
  /**
   * [west, south, east, north] in degrees. A part that crosses the antimeridian (eastern Russia, Fiji) is stored with
   * its western longitudes shifted by +360, so its east is above 180.
   */
  bbox: [number, number, number, number];
  /** Each ring as [lng0, lat0, lng1, lat1, …]; outer ring and holes alike (even–odd rule). */
  rings: Float64Array[];
}

/**
 * Natural Earth features world-atlas leaves without an ISO numeric id, by their `name`: the country whose plan applies
 * there. Siachen is administered by India; the Indian Ocean Territories are Christmas and Cocos (Keeling) Islands.
 */
const UNNUMBERED: Readonly<Record<string, string>> = {
  Somaliland: 'SO',
  Kosovo: 'XK',
  'N. Cyprus': 'CY',
  'Indian Ocean Ter.': 'CX',
  'Siachen Glacier': 'IN',
};

/** ISO 3166-1 alpha-2 code of a world-atlas country feature, or null when it names none. */
export function alpha2OfFeature(id: string | number | undefined, name: string | undefined): string | null {
  if (id !== undefined && id !== '') {
    const code = (iso31661NumericToAlpha2 as Record<string, string | undefined>)[String(id).padStart(3, '0')];
    if (code) return code;
  }
  return (name && UNNUMBERED[name]) || null;
}

/**
 * Every country polygon of Natural Earth 1:50m (world-atlas `countries-50m.json`), read once from the package on first
 * use (about 0.7 MB; node only — the browser bundle never imports this module).
 */
export function loadCountryParts(): CountryPart[] {
  const topology = createRequire(import.meta.url)('world-atlas/countries-50m.json') as Topology<{ countries: GeometryCollection<{ name?: string }> }>;
  const collection = feature(topology, topology.objects.countries);
  const parts: CountryPart[] = [];
  for (const f of collection.features) {
    const country = alpha2OfFeature(f.id, f.properties?.name);
    if (!country || !f.geometry) continue;
    const polygons =
      f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [];
    for (const polygon of polygons) parts.push(toPart(country, polygon));
  }
  return parts;
}

function toPart(country: string, polygon: number[][][]): CountryPart {
  // Antarctica also spans every longitude, but as a ring through the pole: it stays as it is.
  const touchesPole = polygon.some((ring) => ring.some(([, lat]) => Math.abs(lat!) > 89.9));
  const crossesAntimeridian =
    !touchesPole && polygon.some((ring) => ring.some(([lng]) => lng! > 90)) && polygon.some((ring) => ring.some(([lng]) => lng! < -90));
  let west = 540, south = 90, east = -180, north = -90;
  const rings = polygon.map((ring) => {
    const flat = new Float64Array(ring.length * 2);
    ring.forEach(([rawLng, lat], i) => {
      const lng = crossesAntimeridian && rawLng! < 0 ? rawLng! + 360 : rawLng;
      flat[i * 2] = lng!;
      flat[i * 2 + 1] = lat!;
      if (lng! < west) west = lng!;
      if (lng! > east) east = lng!;
      if (lat! < south) south = lat!;
      if (lat! > north) north = lat!;
    });
    return flat;
  });
  return { country, bbox: [west, south, east, north], rings };
}

/** Even–odd point-in-polygon over all rings of a part (holes, such as Lesotho in South Africa, fall out). */
export function partContains(part: CountryPart, lat: number, rawLng: number): boolean {
  const [west, south, east, north] = part.bbox;
  const lng = east > 180 && rawLng < 0 ? rawLng + 360 : rawLng;
  if (lng < west || lng > east || lat < south || lat > north) return false;
  let inside = false;
  for (const ring of part.rings) {
    const n = ring.length / 2;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const xi = ring[i * 2]!, yi = ring[i * 2 + 1]!, xj = ring[j * 2]!, yj = ring[j * 2 + 1]!;
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

const METRES_PER_DEGREE = 111_195;

/**
 * Shortest distance in metres from a point to a part's outline, on a local flat projection around the point (good to
 * well under 1 % at the few kilometres it is used for).
 */
export function distanceToPartM(part: CountryPart, lat: number, lng: number): number {
  const kx = Math.cos((lat * Math.PI) / 180) * METRES_PER_DEGREE;
  let best = Infinity;
  for (const ring of part.rings) {
    const n = ring.length / 2;
    let px = wrapLng(ring[0]! - lng) * kx, py = (ring[1]! - lat) * METRES_PER_DEGREE;
    for (let i = 1; i < n; i++) {
      const qx = wrapLng(ring[i * 2]! - lng) * kx, qy = (ring[i * 2 + 1]! - lat) * METRES_PER_DEGREE;
      const d = distanceToSegment(px, py, qx, qy);
      if (d < best) best = d;
      px = qx;
      py = qy;
    }
  }
  return best;
}

/** Distance from the origin to the segment p–q. */
function distanceToSegment(px: number, py: number, qx: number, qy: number): number {
  const dx = qx - px, dy = qy - py;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, -(px * dx + py * dy) / lengthSq));
  return Math.hypot(px + t * dx, py + t * dy);
}

const wrapLng = (d: number) => (d > 180 ? d - 360 : d < -180 ? d + 360 : d);

/** Degrees of latitude and longitude that `metres` spans at a latitude (longitude capped near the poles). */
export function marginDegrees(metres: number, atLat: number): { lat: number; lng: number } {
  const lat = metres / METRES_PER_DEGREE;
  return { lat, lng: lat / Math.max(Math.cos((Math.min(Math.abs(atLat), 89) * Math.PI) / 180), 0.02) };
}
