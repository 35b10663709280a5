import { setImmediate as nextTurn } from 'node:timers/promises';
import { bboxClip, booleanPointInPolygon, kinks, area as turfArea } from '@turf/turf';
import { getHexagonAreaAvg, getHexagonEdgeLengthAvg, latLngToCell, polygonToCells } from 'h3-js';
import { haversineM } from './db/coverage';
import { HttpError } from './http-errors';

export type Position = [number, number];
export type PolygonCoords = Position[][];

export const LIMITS = {
  /** Vertices of an area, all rings together: the self-intersection check compares every pair of edges. */
  maxVertices: 2_000,
  /** Cells an area may enumerate at the requested resolution, counted as they are enumerated. */
  maxAreaCells: 250_000,
  maxRouteVertices: 10_000,
  maxRouteKm: 2_000,
  maxBatchPoints: 1_000,
};

/**
 * h3's enumeration allocates and scans memory for the square of its input's bounding-box diagonal, whatever the
 * polygon's area (a thin diagonal sliver once aborted the process), so polygons are enumerated tile by tile, each
 * tile holding about TILE_CELLS cells, yielding to the event loop between tiles; MAX_TILES bounds the tiles looked at.
 */
const TILE_CELLS = 5_000;
const MAX_TILES = 20_000;
const KM_PER_DEG = 111.32;

const invalid = (message: string) => new HttpError(400, 'invalid_geometry', message);

function closeRing(ring: Position[]): Position[] {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

/** Consecutive repeated positions add zero-length edges, which the intersection check would report as crossings. */
function withoutRepeats(ring: Position[]): Position[] {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]);
}

/** Polygons of a GeoJSON Polygon/MultiPolygon (or a Feature holding one), with rings closed. */
export function polygonsOf(geometry: { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }): PolygonCoords[] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys.map((p) => p.map((ring) => closeRing(withoutRepeats(ring))));
}

/**
 * Refuses what h3 would silently misread: rings that cross themselves or each other (a bow tie's lobes cancel in a
 * signed area), holes outside their shell (a disjoint hole cancels the shell's area), rings without three corners.
 */
export function validatePolygon(polygon: PolygonCoords, index: number): void {
  const where = `polygon ${index + 1}`;
  polygon.forEach((ring, r) => {
    if (ring.length < 4) throw invalid(`${where}, ring ${r + 1}: a ring needs at least 3 distinct positions`);
  });
  const crossings = kinks({ type: 'Polygon', coordinates: polygon });
  if (crossings.features.length > 0) {
    const [lng, lat] = crossings.features[0]!.geometry.coordinates;
    throw invalid(`${where} is self-intersecting (its rings cross at ${lng!.toFixed(6)},${lat!.toFixed(6)}); send a simple polygon, or split it into a MultiPolygon`);
  }
  const shell = { type: 'Polygon' as const, coordinates: [polygon[0]!] };
  for (let h = 1; h < polygon.length; h++) {
    // Rings do not cross (checked above), so a hole is inside its shell exactly when one of its positions is.
    if (!booleanPointInPolygon(polygon[h]![0]!, shell)) throw invalid(`${where}: hole ${h} lies outside the outer ring; holes must be inside it`);
  }
}

function tooLarge(message: string): HttpError {
  return new HttpError(400, 'area_too_large', message);
}

/**
 * H3 cells (centre inside) covering the polygons. Geometry is validated first; the size is checked from the outer
 * rings' area (an upper bound once holes are known to be inside), then cells are enumerated tile by tile and the
 * request stops with area_too_large as soon as more than LIMITS.maxAreaCells have been found.
 */
export async function cellsForPolygons(polygons: PolygonCoords[], res: number): Promise<{ cells: string[]; areaKm2: number }> {
  const vertices = polygons.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  if (vertices > LIMITS.maxVertices) {
    throw new HttpError(400, 'too_many_vertices', `the area has ${vertices} vertices; the limit is ${LIMITS.maxVertices} — simplify the polygon`);
  }
  polygons.forEach(validatePolygon);
  const areaKm2 = polygons.reduce((a, p) => a + turfArea({ type: 'Polygon', coordinates: p }) / 1e6, 0);
  const outerKm2 = polygons.reduce((a, p) => a + turfArea({ type: 'Polygon', coordinates: [p[0]!] }) / 1e6, 0);
  const estimated = Math.round(outerKm2 / getHexagonAreaAvg(res, 'km2'));
  if (estimated > LIMITS.maxAreaCells) {
    let coarser = res;
    while (coarser > 4 && outerKm2 / getHexagonAreaAvg(coarser, 'km2') > LIMITS.maxAreaCells) coarser--;
    throw tooLarge(
      `the area is ${outerKm2.toFixed(0)} km², about ${estimated} res-${res} hexes; the limit is ${LIMITS.maxAreaCells} hexes per request — split the area${coarser < res ? ` or ask for resolution ${coarser}` : ''}`,
    );
  }

  const tileDeg = Math.min(30, Math.sqrt(TILE_CELLS * getHexagonAreaAvg(res, 'km2')) / KM_PER_DEG);
  const tiles = polygons.map((p) => tilesOver(p[0]!, tileDeg));
  const tileCount = tiles.reduce((n, t) => n + t.length, 0);
  if (tileCount > MAX_TILES) {
    throw tooLarge(`the area's bounding box spans about ${tileCount * TILE_CELLS} res-${res} hexes; the limit is ${MAX_TILES * TILE_CELLS} — split the area or ask for a coarser resolution`);
  }
  const cells = new Set<string>();
  for (let i = 0; i < polygons.length; i++) {
    for (const tile of tiles[i]!) {
      const clipped = bboxClip({ type: 'Polygon', coordinates: polygons[i]! }, tile).geometry.coordinates as Position[][];
      if (clipped.length === 0 || clipped[0]!.length < 4) continue;
      let found: string[];
      try {
        found = polygonToCells(clipped, res, true);
      } catch (error) {
        throw invalid(`the polygon could not be converted to H3 cells: ${(error as Error).message}`);
      }
      for (const c of found) cells.add(c);
      if (cells.size > LIMITS.maxAreaCells) {
        throw tooLarge(`the area holds more than ${LIMITS.maxAreaCells} res-${res} hexes, the limit per request — split the area or ask for a coarser resolution`);
      }
      await nextTurn();
    }
  }
  // A polygon smaller than one hex holds no cell centre: use the cell under its first vertex.
  if (cells.size === 0 && polygons[0]?.[0]?.[0]) {
    const [lng, lat] = polygons[0][0][0];
    cells.add(latLngToCell(lat, lng, res));
  }
  return { cells: [...cells], areaKm2 };
}

/** Square tiles of `size` degrees covering the ring's bounding box, as [west, south, east, north]. */
function tilesOver(ring: Position[], size: number): [number, number, number, number][] {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lng, lat] of ring) {
    west = Math.min(west, lng);
    east = Math.max(east, lng);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  const columns = Math.max(1, Math.ceil((east - west) / size));
  const rows = Math.max(1, Math.ceil((north - south) / size));
  if (columns * rows > MAX_TILES) return Array.from({ length: MAX_TILES + 1 }, () => [0, 0, 0, 0]);
  const out: [number, number, number, number][] = [];
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) {
      out.push([west + c * size, south + r * size, c === columns - 1 ? east : west + (c + 1) * size, r === rows - 1 ? north : south + (r + 1) * size]);
    }
  }
  return out;
}

export interface RouteSample {
  cell: string;
  lng: number;
  lat: number;
  /** Route distance from the start, metres. */
  at_m: number;
}

/** Points every ≤ half a hex edge along the line, each with its cell, so every hex the line crosses is seen. */
export function sampleRoute(line: Position[], res: number): { samples: RouteSample[]; lengthM: number } {
  if (line.length < 2) throw new HttpError(400, 'invalid_geometry', 'a route needs at least 2 positions');
  if (line.length > LIMITS.maxRouteVertices) throw new HttpError(400, 'too_many_vertices', `the route has ${line.length} vertices; the limit is ${LIMITS.maxRouteVertices}`);
  let lengthM = 0;
  for (let i = 1; i < line.length; i++) {
    // Samples are interpolated in degrees: a segment spanning more than 180° of longitude would be walked the long
    // way round the globe while its length is measured the short way.
    if (Math.abs(line[i]![0] - line[i - 1]![0]) > 180) throw invalid(`route segment ${i} spans more than 180° of longitude; split the route at the antimeridian`);
    lengthM += haversineM(line[i - 1]![1], line[i - 1]![0], line[i]![1], line[i]![0]);
  }
  if (lengthM / 1000 > LIMITS.maxRouteKm) throw new HttpError(400, 'route_too_long', `the route is ${(lengthM / 1000).toFixed(0)} km; the limit is ${LIMITS.maxRouteKm} km — split it`);
  const step = (getHexagonEdgeLengthAvg(res, 'm') / 2) | 0 || 1;
  const samples: RouteSample[] = [];
  let travelled = 0;
  for (let i = 1; i < line.length; i++) {
    const [lng0, lat0] = line[i - 1]!;
    const [lng1, lat1] = line[i]!;
    const seg = haversineM(lat0, lng0, lat1, lng1);
    const n = Math.max(1, Math.ceil(seg / step));
    for (let k = i === 1 ? 0 : 1; k <= n; k++) {
      const t = k / n;
      const lat = lat0 + (lat1 - lat0) * t;
      const lng = lng0 + (lng1 - lng0) * t;
      samples.push({ cell: latLngToCell(lat, lng, res), lat, lng, at_m: travelled + seg * t });
    }
    travelled += seg;
  }
  return { samples, lengthM };
}
