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
  const require = createRequire(import.meta.url);
  const topology = require('world-atlas/countries-50m.json') as Topology<{ countries: GeometryCollection<{ name?: string }> }>;
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

/**
 * The edges of a part whose box meets `[west, south, east, north]` (in the part's own longitudes: a part stored
 * shifted by +360 needs the box shifted too), as [x1, y1, x2, y2, …] = lng/lat pairs.
 */
export function edgesWithin(part: CountryPart, west: number, south: number, east: number, north: number): Float64Array {
  const out: number[] = [];
  for (const ring of part.rings) {
    for (let i = 2; i < ring.length; i += 2) {
      const x1 = ring[i - 2]!, y1 = ring[i - 1]!, x2 = ring[i]!, y2 = ring[i + 1]!;
      if (Math.max(x1, x2) < west || Math.min(x1, x2) > east || Math.max(y1, y2) < south || Math.min(y1, y2) > north) continue;
      out.push(x1, y1, x2, y2);
    }
  }
  return Float64Array.from(out);
}

/** Whether segment a–b crosses segment c–d (proper crossing; touching at an end point counts on one side only). */
export function segmentsCross(ax: number, ay: number, bx: number, by: number, edges: Float64Array, i: number): boolean {
  const cx = edges[i]!, cy = edges[i + 1]!, dx = edges[i + 2]!, dy = edges[i + 3]!;
  const side = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => (qx - px) * (ry - py) - (qy - py) * (rx - px) > 0;
  return side(ax, ay, bx, by, cx, cy) !== side(ax, ay, bx, by, dx, dy) && side(cx, cy, dx, dy, ax, ay) !== side(cx, cy, dx, dy, bx, by);
}

const METRES_PER_DEGREE = 111_195;

/**
 * Shortest distance in metres from a point to a set of edges (from `edgesWithin`), on a local flat projection around
 * the point (good to well under 1 % at the few kilometres it is used for).
 */
export function distanceToEdgesM(edges: Float64Array, lat: number, lng: number): number {
  const kx = Math.cos((lat * Math.PI) / 180) * METRES_PER_DEGREE;
  let best = Infinity;
  for (let i = 0; i < edges.length; i += 4) {
    const d = distanceToSegment(
      (edges[i]! - lng) * kx,
      (edges[i + 1]! - lat) * METRES_PER_DEGREE,
      (edges[i + 2]! - lng) * kx,
      (edges[i + 3]! - lat) * METRES_PER_DEGREE,
    );
    if (d < best) best = d;
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

/** Degrees of latitude and longitude that `metres` spans at a latitude (longitude capped near the poles). */
export function marginDegrees(metres: number, atLat: number): { lat: number; lng: number } {
  const lat = metres / METRES_PER_DEGREE;
  return { lat, lng: lat / Math.max(Math.cos((Math.min(Math.abs(atLat), 89) * Math.PI) / 180), 0.02) };
}
