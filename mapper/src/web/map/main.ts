import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { MapboxOverlay } from '@deck.gl/mapbox';
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { resolutionForZoom } from '../../h3-ranges';
import { $, ApiError, esc, getJson } from '../api';
import { offlineStyle } from './basemap';
import { loadMapperHexes, mapperLayers, mapperPanel, type HexMapperMeasurements, type MapperHexes } from './mapper-layers';
import { hexPanel, hotspotPanel, type HexCoverage, type HexHotspot, type HotspotDetail } from './panels';
import { DEFAULT_VIEW, readHash, timeParams, writeHash, type ViewState } from './state';

/** A cell of the oracle's estimated coverage for the reference device (/api/v1/estimated-hexes). */
interface EstimatedHex {
  h3: string;
  lat: number;
  lng: number;
  probability: number;
  covered_share: number;
  expected_hotspots: number;
}

interface PlaceLabel {
  name: string;
  lat: number;
  lng: number;
  population: number;
}

interface HotspotPoint {
  address: string;
  name: string;
  lat: number;
  lng: number;
  status: string;
}

/** Test hook: what the layers currently hold. */
export interface DebugHook {
  ready: boolean;
  loading: boolean;
  resolution: number;
  hexCount: number;
  estimatedCount: number;
  mapperCount: number;
  noSignalCount: number;
  placeCount: number;
  hotspotCount: number;
  styleUrl: string | null;
  loads: number;
  lastError: string | null;
  map: maplibregl.Map;
}

const MAX_HEXES = 50_000;
const COLORS: Record<string, [number, number, number]> = {
  strong: [26, 152, 80],
  good: [145, 207, 96],
  fair: [254, 224, 139],
  weak: [252, 141, 89],
};
/** Estimated cells: one hue, opacity from the confidence (res 9) or the expected covered share (rollups). */
const ESTIMATED_COLOR: [number, number, number] = [120, 140, 255];
/** Place names from this zoom on (city zoom). */
const PLACE_LABEL_ZOOM = 8;
const HOTSPOT_COLORS: Record<string, [number, number, number]> = { active: [124, 196, 255], inactive: [140, 140, 140], new: [255, 255, 255] };

const state: ViewState = { ...DEFAULT_VIEW, ...readHash(location.hash) };

const map = new maplibregl.Map({
  container: 'map',
  style: offlineStyle(),
  center: [state.lng, state.lat],
  zoom: state.zoom,
  attributionControl: false,
  maxPitch: 0,
  dragRotate: false,
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
map.addControl(new maplibregl.AttributionControl({ customAttribution: 'Basemap: Natural Earth', compact: true }));
map.touchZoomRotate.disableRotation();

const overlay = new MapboxOverlay({ interleaved: false, layers: [] });
map.addControl(overlay as unknown as maplibregl.IControl);

const debug: DebugHook = { ready: false, loading: false, resolution: 0, hexCount: 0, estimatedCount: 0, mapperCount: 0, noSignalCount: 0, placeCount: 0, hotspotCount: 0, styleUrl: null, loads: 0, lastError: null, map };
(window as unknown as { __pocMap: DebugHook }).__pocMap = debug;

let hexes: HexCoverage[] = [];
let estimated: EstimatedHex[] = [];
let mapperHexes: MapperHexes = { mapper: [], no_signal: [] };
let placeLabels: PlaceLabel[] = [];
let hotspots: HotspotPoint[] = [];

function render() {
  const mappers = mapperLayers(mapperHexes, (h3) => void openHex(h3));
  overlay.setProps({
    layers: [
      // Estimated below, measured on top: where both exist the measurement is what shows.
      new H3HexagonLayer<EstimatedHex>({
        id: 'estimated',
        data: estimated,
        getHexagon: (d) => d.h3,
        getFillColor: (d) => [...ESTIMATED_COLOR, Math.round(25 + 150 * (debug.resolution === 9 ? d.probability : d.covered_share))],
        stroked: false,
        filled: true,
        extruded: false,
        pickable: false,
        highPrecision: 'auto',
      }),
      mappers.noSignal,
      new H3HexagonLayer<HexCoverage>({
        id: 'coverage',
        data: hexes,
        getHexagon: (d) => d.h3,
        getFillColor: (d) => [...(COLORS[d.signal_class] ?? COLORS.weak!), d.h3 === state.hex ? 255 : 170],
        getLineColor: [255, 255, 255, 200],
        getLineWidth: (d) => (d.h3 === state.hex ? 2 : 0),
        lineWidthUnits: 'pixels',
        stroked: true,
        filled: true,
        extruded: false,
        pickable: true,
        highPrecision: 'auto',
        updateTriggers: { getFillColor: state.hex, getLineWidth: state.hex },
        onClick: ({ object }) => {
          if (object) void openHex(object.h3);
          return true;
        },
      }),
      mappers.mapperOutline,
      // Zoomed far out a res-4 hex is under a pixel: mark covered hexes with dots so coverage stays visible.
      new ScatterplotLayer<HexCoverage>({
        id: 'coverage-dots',
        data: hexes,
        visible: map.getZoom() < 4,
        getPosition: (d) => [d.lng, d.lat],
        getFillColor: (d) => [...(COLORS[d.signal_class] ?? COLORS.weak!), 220],
        radiusUnits: 'pixels',
        getRadius: 7,
        pickable: true,
        onClick: ({ object }) => {
          if (object) void openHex(object.h3);
          return true;
        },
      }),
      new ScatterplotLayer<HotspotPoint>({
        id: 'hotspots',
        data: hotspots,
        getPosition: (d) => [d.lng, d.lat],
        getFillColor: (d) => (d.address === state.hotspot ? [255, 215, 0] : (HOTSPOT_COLORS[d.status] ?? [255, 255, 255])),
        getLineColor: [11, 29, 42],
        stroked: true,
        lineWidthMinPixels: 1,
        radiusUnits: 'pixels',
        getRadius: (d) => (d.address === state.hotspot ? 8 : 5),
        pickable: true,
        updateTriggers: { getFillColor: state.hotspot, getRadius: state.hotspot },
        onClick: ({ object }) => {
          if (object) void openHotspot(object.address);
          return true;
        },
      }),
      new TextLayer<PlaceLabel>({
        id: 'places',
        data: placeLabels,
        visible: map.getZoom() >= PLACE_LABEL_ZOOM,
        getPosition: (d) => [d.lng, d.lat],
        getText: (d) => d.name,
        getSize: (d) => (d.population >= 500_000 ? 16 : d.population >= 50_000 ? 14 : 12),
        getColor: [235, 240, 245, 255],
        characterSet: 'auto',
        fontFamily: 'system-ui, sans-serif',
        fontSettings: { sdf: true },
        outlineWidth: 3,
        outlineColor: [11, 29, 42, 255],
        getTextAnchor: 'middle',
        getAlignmentBaseline: 'center',
      }),
    ],
  });
  debug.hexCount = hexes.length;
  debug.estimatedCount = estimated.length;
  debug.mapperCount = mapperHexes.mapper.length;
  debug.noSignalCount = mapperHexes.no_signal.length;
  debug.placeCount = placeLabels.length;
  debug.hotspotCount = hotspots.length;
}

function setStatus(text: string, isError = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function syncHash() {
  const c = map.getCenter();
  state.lat = c.lat;
  state.lng = c.lng;
  state.zoom = map.getZoom();
  history.replaceState(null, '', writeHash(state));
}

let loadController: AbortController | null = null;

/** Fetches the hexes (paged) and hotspots for the current viewport at the zoom's resolution. */
async function loadViewport() {
  loadController?.abort();
  const controller = new AbortController();
  loadController = controller;
  const b = map.getBounds();
  const clamp = (v: number, lim: number) => Math.max(-lim, Math.min(lim, v));
  const bbox = [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)].map((v) => v.toFixed(5)).join(',');
  const res = resolutionForZoom(map.getZoom());
  const t = timeParams(state);
  debug.loading = true;
  try {
    const loaded: HexCoverage[] = [];
    let cursor: string | null = null;
    do {
      const page: { hexes: HexCoverage[]; next_cursor: string | null; freshness: { coverage_updated_at: string | null } } = await getJson(
        `/api/v1/hexes?bbox=${bbox}&res=${res}${t}${cursor ? `&cursor=${cursor}` : ''}`,
        { signal: controller.signal },
      );
      loaded.push(...page.hexes);
      cursor = page.next_cursor;
      setStatus(`res ${res} · ${loaded.length.toLocaleString()} hexes${page.freshness.coverage_updated_at ? ` · data ${page.freshness.coverage_updated_at.slice(0, 16).replace('T', ' ')}` : ''}`);
    } while (cursor && loaded.length < MAX_HEXES);
    const hs: { hotspots: HotspotPoint[] } = await getJson(`/api/v1/hotspots?bbox=${bbox}${t}`, { signal: controller.signal });
    const estimatedLoaded: EstimatedHex[] = [];
    let estimatedCursor: string | null = null;
    do {
      const page: { hexes: EstimatedHex[]; next_cursor: string | null } = await getJson(
        `/api/v1/estimated-hexes?bbox=${bbox}&res=${res}${estimatedCursor ? `&cursor=${estimatedCursor}` : ''}`,
        { signal: controller.signal },
      );
      estimatedLoaded.push(...page.hexes);
      estimatedCursor = page.next_cursor;
    } while (estimatedCursor && estimatedLoaded.length < MAX_HEXES);
    const mapperLoaded = await loadMapperHexes(bbox, res, controller.signal);
    const labels: { places: PlaceLabel[] } =
      map.getZoom() >= PLACE_LABEL_ZOOM ? await getJson(`/api/v1/places?bbox=${bbox}&limit=80`, { signal: controller.signal }) : { places: [] };
    if (controller.signal.aborted) return;
    hexes = loaded;
    estimated = estimatedLoaded;
    mapperHexes = mapperLoaded;
    placeLabels = labels.places;
    hotspots = hs.hotspots.filter((h) => h.lat !== null && h.lng !== null);
    debug.resolution = res;
    debug.loads++;
    debug.lastError = null;
    render();
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    debug.lastError = (error as Error).message;
    setStatus(`could not load coverage: ${(error as Error).message}`, true);
  } finally {
    if (loadController === controller) debug.loading = false;
  }
}

let debounce: ReturnType<typeof setTimeout> | undefined;
function scheduleLoad() {
  clearTimeout(debounce);
  debounce = setTimeout(() => void loadViewport(), 200);
}

function showPanel(html: string) {
  $('panel-body').innerHTML = html;
  $('panel').hidden = false;
}

function closePanel() {
  $('panel').hidden = true;
  state.hex = null;
  state.hotspot = null;
  syncHash();
  render();
}

async function openHex(h3: string, fly = false) {
  state.hex = h3;
  state.hotspot = null;
  syncHash();
  render();
  showPanel(`<h2>Hex ${esc(h3)}</h2><p>Loading…</p>`);
  const mappers: Promise<string> = getJson<HexMapperMeasurements>(`/api/v1/hexes/${h3}/mapper`).then(mapperPanel, () => '');
  try {
    const d: { hex: HexCoverage; hotspots: HexHotspot[] } = await getJson(`/api/v1/hexes/${h3}?${timeParams(state).slice(1)}`);
    showPanel(hexPanel(d.hex, d.hotspots) + (await mappers));
    if (fly) map.flyTo({ center: [d.hex.lng, d.hex.lat], zoom: Math.max(map.getZoom(), 12) });
  } catch (error) {
    const msg = error instanceof ApiError && error.status === 404 ? 'No coverage recorded here in the selected time range.' : (error as Error).message;
    showPanel(`<h2>Hex ${esc(h3)}</h2><p class="error">${esc(msg)}</p>${await mappers}`);
  }
}

async function openHotspot(address: string, fly = false) {
  state.hotspot = address;
  state.hex = null;
  syncHash();
  render();
  showPanel(`<h2>Hotspot</h2><p>Loading…</p>`);
  try {
    const d: { hotspot: HotspotDetail } = await getJson(`/api/v1/hotspots/${encodeURIComponent(address)}?${timeParams(state).slice(1)}`);
    showPanel(hotspotPanel(d.hotspot));
    if (fly && d.hotspot.lat !== null && d.hotspot.lng !== null) map.flyTo({ center: [d.hotspot.lng, d.hotspot.lat], zoom: Math.max(map.getZoom(), 11) });
  } catch (error) {
    showPanel(`<h2>Hotspot</h2><p class="error">${esc((error as Error).message)}</p>`);
  }
}

$('panel-close').addEventListener('click', closePanel);
$('panel-body').addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest('[data-hotspot]');
  if (a) {
    e.preventDefault();
    void openHotspot(a.getAttribute('data-hotspot')!, true);
  }
});

// Search: hotspots by name/key, places by name, or an H3 cell id.
const searchInput = $<HTMLInputElement>('search');
const resultsEl = $<HTMLUListElement>('search-results');
let searchTimer: ReturnType<typeof setTimeout> | undefined;
let searchController: AbortController | null = null;

interface SearchAnswer {
  hex: string | null;
  hotspots: { address: string; name: string; lat: number | null; lng: number | null }[];
  places: { name: string; country: string; lat: number; lng: number }[];
}

async function runSearch(q: string) {
  searchController?.abort();
  if (q.trim().length === 0) {
    resultsEl.hidden = true;
    return;
  }
  const controller = new AbortController();
  searchController = controller;
  try {
    const r: SearchAnswer = await getJson(`/api/v1/search?q=${encodeURIComponent(q.trim())}`, { signal: controller.signal });
    const items: string[] = [];
    if (r.hex) items.push(`<li tabindex="0" data-kind="hex" data-id="${esc(r.hex)}"><span class="kind">hex</span>${esc(r.hex)}</li>`);
    for (const h of r.hotspots) items.push(`<li tabindex="0" data-kind="hotspot" data-id="${esc(h.address)}"><span class="kind">hotspot</span>${esc(h.name)} <small>${esc(h.address.slice(0, 10))}…</small></li>`);
    for (const p of r.places) items.push(`<li tabindex="0" data-kind="place" data-lat="${p.lat}" data-lng="${p.lng}"><span class="kind">place</span>${esc(p.name)}, ${esc(p.country)}</li>`);
    resultsEl.innerHTML = items.length ? items.join('') : '<li>No hotspot, place or hex matches.</li>';
    resultsEl.hidden = false;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    resultsEl.innerHTML = `<li class="error">${esc((error as Error).message)}</li>`;
    resultsEl.hidden = false;
  }
}

searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void runSearch(searchInput.value), 200);
});
resultsEl.addEventListener('click', (e) => {
  const li = (e.target as HTMLElement).closest('li[data-kind]');
  if (!li) return;
  resultsEl.hidden = true;
  const kind = li.getAttribute('data-kind');
  if (kind === 'hotspot') void openHotspot(li.getAttribute('data-id')!, true);
  else if (kind === 'hex') void openHex(li.getAttribute('data-id')!, true);
  else map.flyTo({ center: [Number(li.getAttribute('data-lng')), Number(li.getAttribute('data-lat'))], zoom: 11 });
});
resultsEl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') (e.target as HTMLElement).click();
});

// Time filter: a window, or coverage as of a date.
const windowSelect = $<HTMLSelectElement>('window');
const asOfInput = $<HTMLInputElement>('as-of');
windowSelect.value = state.asOf ? 'asof' : state.window;
asOfInput.hidden = !state.asOf;
if (state.asOf) asOfInput.value = state.asOf.slice(0, 10);
function applyTime() {
  if (windowSelect.value === 'asof') {
    asOfInput.hidden = false;
    state.asOf = asOfInput.value || null;
    state.window = 'all';
  } else {
    asOfInput.hidden = true;
    state.asOf = null;
    state.window = windowSelect.value as ViewState['window'];
  }
  syncHash();
  void loadViewport();
}
windowSelect.addEventListener('change', applyTime);
asOfInput.addEventListener('change', applyTime);

map.on('moveend', () => {
  syncHash();
  scheduleLoad();
});
// A street basemap when the operator configured one (MAP_STYLE_URL) and the browser can reach it; else Natural Earth.
void getJson<{ style_url: string | null }>('/api/v1/map-config')
  .then((config) => {
    if (!config.style_url) return;
    debug.styleUrl = config.style_url;
    map.setStyle(config.style_url);
  })
  .catch(() => {});

map.on('load', () => {
  debug.ready = true;
  void loadViewport();
  if (state.hex) void openHex(state.hex);
  else if (state.hotspot) void openHotspot(state.hotspot);
});
map.on('error', (e) => {
  debug.lastError = String((e as unknown as { error?: Error }).error?.message ?? e);
});
