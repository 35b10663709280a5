import type { Sql } from 'postgres';
import { cellToLatLng, getResolution } from 'h3-js';
import { descendantRange } from '../h3-ranges';
import { signalClassOf, type SignalClass } from '../signal';

/** Which coverage counts: heard since `since`, and (for "as of a date") first heard by `asOf`. */
export interface TimeFilter {
  since?: Date;
  asOf?: Date;
}

export interface HexCoverage {
  h3: string;
  resolution: number;
  lat: number;
  lng: number;
  signal_class: SignalClass;
  best_rssi_dbm: number;
  best_snr_db: number;
  witness_count: number;
  hotspot_count: number;
  first_seen_at: string;
  last_seen_at: string;
}

/** A `coverage_hexes` row as PostgreSQL returns it. */
export interface HexRow {
  h3: string;
  resolution: number;
  best_rssi: number;
  best_snr: number;
  witness_count: bigint;
  hotspot_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

export function toHexCoverage(row: HexRow): HexCoverage {
  const [lat, lng] = cellToLatLng(row.h3);
  return {
    h3: row.h3,
    resolution: row.resolution,
    lat,
    lng,
    signal_class: signalClassOf(row.best_rssi),
    best_rssi_dbm: row.best_rssi / 10,
    best_snr_db: row.best_snr / 10,
    witness_count: Number(row.witness_count),
    hotspot_count: row.hotspot_count,
    first_seen_at: row.first_seen_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
  };
}

function timeCondition(sql: Sql, t: TimeFilter) {
  return sql`${t.since ? sql`AND c.last_seen_at >= ${t.since}` : sql``} ${t.asOf ? sql`AND c.first_seen_at <= ${t.asOf}` : sql``}`;
}

const HEX_COLUMNS = 'c.h3, c.resolution, c.best_rssi, c.best_snr, c.witness_count, c.hotspot_count, c.first_seen_at, c.last_seen_at';

export async function hexByCell(sql: Sql, h3: string, time: TimeFilter = {}): Promise<HexCoverage | null> {
  const rows = await sql<HexRow[]>`
    SELECT ${sql.unsafe(HEX_COLUMNS)} FROM coverage_hexes c
    WHERE c.resolution = ${getResolution(h3)} AND c.h3 = ${h3} ${timeCondition(sql, time)}`;
  return rows[0] ? toHexCoverage(rows[0]) : null;
}

/** Coverage rows for many cells of one resolution at once (batch points, areas, routes). */
export async function hexesByCells(sql: Sql, res: number, cells: string[], time: TimeFilter = {}): Promise<Map<string, HexCoverage>> {
  const out = new Map<string, HexCoverage>();
  if (cells.length === 0) return out;
  const rows = await sql<HexRow[]>`
    SELECT ${sql.unsafe(HEX_COLUMNS)} FROM coverage_hexes c
    WHERE c.resolution = ${res} AND c.h3 = ANY(${cells}::text[]) ${timeCondition(sql, time)}`;
  for (const row of rows) out.set(row.h3, toHexCoverage(row));
  return out;
}

/** One page of cells at `res` inside the given index ranges, ordered by h3, after `cursor`. */
export async function hexesInRanges(
  sql: Sql,
  res: number,
  ranges: { lo: string; hi: string }[],
  options: { time?: TimeFilter; cursor?: string; limit: number },
): Promise<HexCoverage[]> {
  if (ranges.length === 0) return [];
  const rows = await sql<HexRow[]>`
    SELECT ${sql.unsafe(HEX_COLUMNS)}
    FROM unnest(${ranges.map((r) => r.lo)}::text[], ${ranges.map((r) => r.hi)}::text[]) AS r(lo, hi)
    JOIN coverage_hexes c ON c.resolution = ${res} AND c.h3 BETWEEN r.lo AND r.hi
    WHERE true ${options.cursor ? sql`AND c.h3 > ${options.cursor}` : sql``} ${timeCondition(sql, options.time ?? {})}
    ORDER BY c.h3
    LIMIT ${options.limit}`;
  return rows.map(toHexCoverage);
}

export interface HexHotspot {
  address: string;
  name: string | null;
  lat: number | null;
  lng: number | null;
  best_rssi_dbm: number;
  best_snr_db: number;
  witness_count: number;
  last_seen_at: string;
  distance_m: number | null;
}

/** Hotspots that heard a hex (any resolution: coarser hexes gather their res-9 descendants). */
export async function hotspotsForHex(sql: Sql, h3: string, limit = 100): Promise<HexHotspot[]> {
  const res = getResolution(h3);
  const { lo, hi } = res === 9 ? { lo: h3, hi: h3 } : descendantRange(h3, 9);
  const rows = await sql<{ hotspot: string; name: string | null; lat: number | null; lng: number | null; best_rssi: number; best_snr: number; witness_count: bigint; last_seen_at: Date }[]>`
    SELECT x.hotspot, h.name, h.lat, h.lng, max(x.best_rssi) AS best_rssi, max(x.best_snr) AS best_snr,
           sum(x.witness_count)::bigint AS witness_count, max(x.last_seen_at) AS last_seen_at
    FROM coverage_hex_hotspots x LEFT JOIN hotspots h ON h.address = x.hotspot
    WHERE x.h3 BETWEEN ${lo} AND ${hi}
    GROUP BY x.hotspot, h.name, h.lat, h.lng
    ORDER BY max(x.best_rssi) DESC
    LIMIT ${limit}`;
  const [hexLat, hexLng] = cellToLatLng(h3);
  return rows.map((r) => ({
    address: r.hotspot,
    name: r.name,
    lat: r.lat,
    lng: r.lng,
    best_rssi_dbm: r.best_rssi / 10,
    best_snr_db: r.best_snr / 10,
    witness_count: Number(r.witness_count),
    last_seen_at: r.last_seen_at.toISOString(),
    distance_m: r.lat === null || r.lng === null ? null : Math.round(haversineM(hexLat, hexLng, r.lat, r.lng)),
  }));
}

export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

/** Newest coverage measurement: every answer reports it so callers know how fresh the data is. */
export async function coverageUpdatedAt(sql: Sql): Promise<Date | null> {
  const rows = await sql<{ at: Date | null }[]>`SELECT max(last_seen_at) AS at FROM coverage_hexes WHERE resolution = 9`;
  return rows[0]?.at ?? null;
}
