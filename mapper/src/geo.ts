import { area as turfArea } from '@turf/turf';
import { getHexagonAreaAvg, getHexagonEdgeLengthAvg, latLngToCell, polygonToCells } from 'h3-js';
import { haversineM } from './db/coverage';
import { HttpError } from './http-errors';

export type Position = [number, number];
export type PolygonCoords = Position[][];

export const LIMITS = {
  maxVertices: 5_000,
  maxAreaCells: 250_000,
  maxRouteVertices: 10_000,
  maxRouteKm: 2_000,
  maxBatchPoints: 1_000,
};

function closeRing(ring: Position[]): Position[] {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

/** Polygons of a GeoJSON Polygon/MultiPolygon (or a Feature holding one), with rings closed. */
export function polygonsOf(geometry: { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }): PolygonCoords[] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys.map((p) => p.map(closeRing));
}

/** H3 cells (centre inside) covering the polygons, after enforcing vertex and size limits with specific errors. */
export function cellsForPolygons(polygons: PolygonCoords[], res: number): { cells: string[]; areaKm2: number } {
  const vertices = polygons.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  if (vertices > LIMITS.maxVertices) {
    throw new HttpError(400, 'too_many_vertices', `the area has ${vertices} vertices; the limit is ${LIMITS.maxVertices} — simplify the polygon`);
  }
  const areaKm2 = polygons.reduce((a, p) => a + turfArea({ type: 'Polygon', coordinates: p }) / 1e6, 0);
  const estimated = Math.round(areaKm2 / getHexagonAreaAvg(res, 'km2'));
  if (estimated > LIMITS.maxAreaCells) {
    let coarser = res;
    while (coarser > 4 && areaKm2 / getHexagonAreaAvg(coarser, 'km2') > LIMITS.maxAreaCells) coarser--;
    throw new HttpError(
      400,
      'area_too_large',
      `the area is ${areaKm2.toFixed(0)} km², about ${estimated} res-${res} hexes; the limit is ${LIMITS.maxAreaCells} hexes per request — split the area${coarser < res ? ` or ask for resolution ${coarser}` : ''}`,
    );
  }
  const cells = new Set<string>();
  for (const p of polygons) {
    let found: string[];
    try {
      found = polygonToCells(p, res, true);
    } catch (error) {
      throw new HttpError(400, 'invalid_geometry', `the polygon could not be converted to H3 cells: ${(error as Error).message}`);
    }
    for (const c of found) cells.add(c);
  }
  // A polygon smaller than one hex holds no cell centre: use the cell under its first vertex.
  if (cells.size === 0 && polygons[0]?.[0]?.[0]) {
    const [lng, lat] = polygons[0][0][0];
    cells.add(latLngToCell(lat, lng, res));
  }
  return { cells: [...cells], areaKm2 };
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
  for (let i = 1; i < line.length; i++) lengthM += haversineM(line[i - 1]![1], line[i - 1]![0], line[i]![1], line[i]![0]);
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
