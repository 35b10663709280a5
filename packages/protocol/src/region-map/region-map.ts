import { cellToLatLng, isValidCell } from 'h3-js';
import type { Region } from '../regions';
import { COUNTRY_REGION } from './country-plans';
import { distanceToEdgesM, edgesWithin, loadCountryParts, marginDegrees, partContains, segmentsCross, type CountryPart } from './country-shapes';

/**
 * How far outside Natural Earth's 1:50m outline a point still belongs to the nearest country. That outline is
 * generalised by up to a few kilometres at coasts, so a hotspot on a pier, a headland or a small island left off the
 * map is within it; a point farther out at sea belongs to no country and so to no region.
 */
export const OFFSHORE_TOLERANCE_M = 5_000;

/**
 * The lookup caches what it learnt per tile of 0.1° × 0.1° (11 km north–south; plain arithmetic, where an H3 index per
 * query would cost more than the rest of the query).
 */
const TILE_DEGREES = 0.1;
const TILES_PER_ROW = 3600;
const CACHE_LIMIT = 200_000;

type TileKnowledge =
  /** Every point of the tile answers the same (a country, or null: open sea). */
  | { kind: 'uniform'; country: string | null }
  /** Points must be tested against the outlines that reach the tile (a border, a coast). */
  | { kind: 'mixed'; pieces: TilePiece[] };

/**
 * One country part as far as it matters inside a tile: its edges near the tile, and whether the tile's centre is
 * inside it. A point is inside the part when the segment from the centre to it crosses those edges an odd number of
 * times less or more than the centre — so a query tests a few dozen local edges, not the whole outline of Russia.
 */
interface TilePiece {
  country: string;
  /** +360 for a part stored east of the antimeridian (its longitudes shifted), else 0. */
  shift: number;
  centreLat: number;
  centreLng: number;
  centreInside: boolean;
  /** Edges meeting the tile widened by the offshore tolerance, in the part's longitudes. */
  edges: Float64Array;
}

export interface RegionAnswer {
  /** ISO 3166-1 alpha-2 code of the country the point lies in or just off, null at sea. */
  country: string | null;
  /** The plan Helium assigned to that country (country-plans.ts), null at sea or where no plan was served. */
  region: Region | null;
}

/**
 * Country and LoRaWAN region of a location, from Natural Earth 1:50m country outlines (world-atlas) and Helium's
 * country → plan table. Build once and share: polygons load on the first query (~0.5 s), and what each 0.1° tile
 * holds is cached, so a query inside a country is a map look-up and one near a border or coast tests only the
 * polygons that reach the tile.
 */
export class RegionMap {
  /** Parts by 10° × 10° bucket of their (tolerance-widened) box, so learning a tile looks at a few dozen, not all. */
  #buckets: CountryPart[][] | null = null;
  readonly #tiles = new Map<number, TileKnowledge>();

  /** The answer for a point; throws on coordinates that are not a real latitude/longitude. */
  locate(lat: number, lng: number): RegionAnswer {
    if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      throw new RangeError(`not a location: ${lat}, ${lng}`);
    }
    const country = this.#country(lat, lng);
    return { country, region: country ? (COUNTRY_REGION[country] ?? null) : null };
  }

  /** The answer for an H3 cell's centre (any resolution); throws on a string that is not a valid cell. */
  locateCell(cell: string): RegionAnswer {
    if (!isValidCell(cell)) throw new RangeError(`not an H3 cell: ${JSON.stringify(cell)}`);
    const [lat, lng] = cellToLatLng(cell);
    return this.locate(lat, lng);
  }

  #country(lat: number, lng: number): string | null {
    const row = Math.min(Math.floor((lat + 90) / TILE_DEGREES), 1799);
    const column = Math.min(Math.floor((lng + 180) / TILE_DEGREES), TILES_PER_ROW - 1);
    const knowledge = this.#knowledge(row, column);
    if (knowledge.kind === 'uniform') return knowledge.country;
    return pieceContaining(knowledge.pieces, lat, lng) ?? nearestWithin(knowledge.pieces, lat, lng, OFFSHORE_TOLERANCE_M);
  }

  #knowledge(row: number, column: number): TileKnowledge {
    const key = row * TILES_PER_ROW + column;
    const known = this.#tiles.get(key);
    if (known) return known;
    const learnt = this.#learn(row * TILE_DEGREES - 90, column * TILE_DEGREES - 180);
    if (this.#tiles.size >= CACHE_LIMIT) this.#tiles.delete(this.#tiles.keys().next().value!);
    this.#tiles.set(key, learnt);
    return learnt;
  }

  /**
   * What a tile holds. For each part whose box reaches the tile widened by the offshore tolerance: its edges within
   * that widened tile, and whether the tile's centre is inside it. No edges at all: the tile is wholly inside one
   * part (that country throughout) or more than the tolerance from every outline (open sea, null).
   */
  #learn(south: number, west: number): TileKnowledge {
    this.#buckets ??= bucketParts(loadCountryParts());
    const north = south + TILE_DEGREES, east = west + TILE_DEGREES;
    const margin = marginDegrees(OFFSHORE_TOLERANCE_M, Math.max(Math.abs(south), Math.abs(north)));
    const centreLat = south + TILE_DEGREES / 2, centreLng = west + TILE_DEGREES / 2;
    const pieces: TilePiece[] = [];
    for (const part of this.#buckets[bucketOf(south, west)]!) {
      const shift = part.bbox[2] > 180 && west < 0 ? 360 : 0;
      const [pw, ps, pe, pn] = part.bbox;
      if (ps - margin.lat > north || pn + margin.lat < south || pw - margin.lng > east + shift || pe + margin.lng < west + shift) continue;
      const edges = edgesWithin(part, west + shift - margin.lng, south - margin.lat, east + shift + margin.lng, north + margin.lat);
      const centreInside = partContains(part, centreLat, centreLng);
      if (edges.length > 0 || centreInside) pieces.push({ country: part.country, shift, centreLat, centreLng: centreLng + shift, centreInside, edges });
    }
    if (pieces.every((piece) => piece.edges.length === 0)) return { kind: 'uniform', country: pieces.find((piece) => piece.centreInside)?.country ?? null };
    return { kind: 'mixed', pieces };
  }
}

const BUCKET_DEGREES = 10;
const BUCKETS_PER_ROW = 360 / BUCKET_DEGREES;
const bucketOf = (lat: number, lng: number) =>
  Math.min(Math.floor((lat + 90) / BUCKET_DEGREES), 180 / BUCKET_DEGREES - 1) * BUCKETS_PER_ROW +
  Math.min(Math.floor((((lng + 180) % 360) + 360) % 360 / BUCKET_DEGREES), BUCKETS_PER_ROW - 1);

/** Each part goes into every bucket its box, widened by a bucket-safe margin (0.5°, > the tolerance up to 84°), reaches. */
function bucketParts(parts: readonly CountryPart[]): CountryPart[][] {
  const buckets: CountryPart[][] = Array.from({ length: (180 / BUCKET_DEGREES) * BUCKETS_PER_ROW }, () => []);
  for (const part of parts) {
    const [west, south, east, north] = part.bbox;
    const wide = Math.abs(south) > 84 || Math.abs(north) > 84 || east - west >= 360 - 2 * BUCKET_DEGREES;
    for (let lat = Math.max(-90, Math.floor((south - 0.5) / BUCKET_DEGREES) * BUCKET_DEGREES); lat < Math.min(90, north + 0.5); lat += BUCKET_DEGREES) {
      for (let lng = wide ? -180 : Math.floor((west - 0.5) / BUCKET_DEGREES) * BUCKET_DEGREES; lng < (wide ? 180 : east + 0.5); lng += BUCKET_DEGREES) {
        const bucket = buckets[bucketOf(lat, lng)]!;
        if (bucket.at(-1) !== part) bucket.push(part);
      }
    }
  }
  return buckets;
}

function pieceContaining(pieces: readonly TilePiece[], lat: number, lng: number): string | null {
  for (const piece of pieces) {
    const x = lng + piece.shift;
    let inside = piece.centreInside;
    for (let i = 0; i < piece.edges.length; i += 4) if (segmentsCross(piece.centreLng, piece.centreLat, x, lat, piece.edges, i)) inside = !inside;
    if (inside) return piece.country;
  }
  return null;
}

function nearestWithin(pieces: readonly TilePiece[], lat: number, lng: number, toleranceM: number): string | null {
  let best: string | null = null;
  let bestM = toleranceM;
  for (const piece of pieces) {
    const d = distanceToEdgesM(piece.edges, lat, lng + piece.shift);
    if (d <= bestM) {
      bestM = d;
      best = piece.country;
    }
  }
  return best;
}

let shared: RegionMap | null = null;

/** The process-wide map (polygons are loaded once). */
export function regionMap(): RegionMap {
  return (shared ??= new RegionMap());
}

/** The LoRaWAN region at a point, or null at sea / where Helium served no plan. */
export function regionForLatLng(lat: number, lng: number): Region | null {
  return regionMap().locate(lat, lng).region;
}

/** The LoRaWAN region of an asserted H3 cell (its centre), or null at sea / where Helium served no plan. */
export function regionForCell(cell: string): Region | null {
  return regionMap().locateCell(cell).region;
}
