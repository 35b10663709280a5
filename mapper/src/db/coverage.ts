import type { PendingQuery, Row, Sql } from 'postgres';
import { cellToLatLng, getResolution } from 'h3-js';
import { utcDay } from '@poc/oracle';
import { descendantRange } from '../h3-ranges';
import { signalClassOf, type SignalClass } from '../signal';

/**
 * Which coverage counts (see parseTimeFilter in ../time-filter.ts). Without `days`, all-time aggregates
 * (coverage_hexes, or the in-memory index); with `days`, the oracle's daily history of those whole UTC days.
 */
export interface TimeFilter {
  /** Start of the requested interval (window start, or as_of − 30 d): the hotspot pages' "active since". */
  since?: Date;
  asOf?: Date;
  /** Inclusive range of UTC days ('YYYY-MM-DD') that coverage answers aggregate. */
  days?: { from: string; to: string };
}

/** Every UTC day of the range, inclusive, as 'YYYY-MM-DD' (at most 31 for the filters parseTimeFilter makes). */
export function daysOf(range: { from: string; to: string }): string[] {
  const out: string[] = [];
  for (let t = Date.parse(range.from), end = Date.parse(range.to); t <= end && out.length < 366; t += 86_400_000) out.push(utcDay(t));
  return out;
}

/** True when no time filter applies: all-time aggregates answer. */
export function isAllTime(time: TimeFilter): boolean {
  return time.days === undefined;
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

type Fragment = PendingQuery<Row[]>;

const HEX_COLUMNS = 'c.h3, c.resolution, c.best_rssi, c.best_snr, c.witness_count, c.hotspot_count, c.first_seen_at, c.last_seen_at';

/**
 * Coverage over the filter's days from the history rows `d` that `rows` yields (a FROM item already restricted to those
 * days and to the wanted cells): best RSSI/SNR = max, witnesses = sum, hotspots = distinct hotspots, last_seen_at =
 * newest measurement in those days; first_seen_at = when the cell was first heard at all (coverage_hexes), never after
 * its first measurement in the range. Only cells heard on one of those days are returned. `page` orders and limits.
 */
function historyRows(sql: Sql, res: number, rows: Fragment, page: Fragment = sql``) {
  return sql<HexRow[]>`
    SELECT c.h3, c.resolution, a.best_rssi, a.best_snr, a.witness_count, a.hotspot_count, c.first_seen_at, a.last_seen_at
    FROM (
      SELECT d.h3, max(d.best_rssi) AS best_rssi, max(d.best_snr) AS best_snr, sum(d.witness_count)::bigint AS witness_count,
             count(DISTINCT d.hotspot)::int AS hotspot_count, max(d.last_seen_at) AS last_seen_at
      FROM ${rows}
      GROUP BY d.h3 ${page}
    ) a
    JOIN coverage_hexes c ON c.resolution = ${res} AND c.h3 = a.h3
    ORDER BY c.h3`;
}

export async function hexByCell(sql: Sql, h3: string, time: TimeFilter = {}): Promise<HexCoverage | null> {
  const res = getResolution(h3);
  const rows = time.days
    ? await historyRows(sql, res, sql`coverage_hex_hotspot_days d WHERE d.day = ANY(${daysOf(time.days)}::date[]) AND d.h3 = ${h3}`)
    : await sql<HexRow[]>`SELECT ${sql.unsafe(HEX_COLUMNS)} FROM coverage_hexes c WHERE c.resolution = ${res} AND c.h3 = ${h3}`;
  return rows[0] ? toHexCoverage(rows[0]) : null;
}

/** Coverage rows for many cells of one resolution at once (batch points, areas, routes). */
export async function hexesByCells(sql: Sql, res: number, cells: string[], time: TimeFilter = {}): Promise<Map<string, HexCoverage>> {
  const out = new Map<string, HexCoverage>();
  if (cells.length === 0) return out;
  const rows = time.days
    ? await historyRows(sql, res, sql`coverage_hex_hotspot_days d WHERE d.day = ANY(${daysOf(time.days)}::date[]) AND d.h3 = ANY(${cells}::text[])`)
    : await sql<HexRow[]>`SELECT ${sql.unsafe(HEX_COLUMNS)} FROM coverage_hexes c WHERE c.resolution = ${res} AND c.h3 = ANY(${cells}::text[])`;
  for (const row of rows) out.set(row.h3, toHexCoverage(row));
  return out;
}

/** Ranges asked for together in one query while walking a bbox's ranges in order. */
const RANGES_PER_QUERY = 8;

export interface HexPage {
  hexes: HexCoverage[];
  /** Where the next page starts: set when the page is full, or when the scan budget ran out before it filled. */
  nextCursor: string | null;
}

/**
 * One page of cells at `res` inside the given index ranges, ordered by h3, after `cursor`. The page is chosen before
 * anything is aggregated, so the work is bounded by the page, not by the coverage or history inside the box:
 * candidate cells come from coverage_hexes in index order (a time-filtered cell must be covered at all), a few ranges
 * per query, each range read only up to what the page still needs; with a time filter only those candidates' daily
 * history is aggregated, and at most `scanBudget` candidates are examined — a page may then come back short with a
 * next_cursor, and paging on from it loses and repeats nothing.
 */
export async function hexesInRanges(
  sql: Sql,
  res: number,
  ranges: { lo: string; hi: string }[],
  options: { time?: TimeFilter; cursor?: string; limit: number; scanBudget?: number },
): Promise<HexPage> {
  const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const days = options.time?.days;
  const budget = options.scanBudget ?? options.limit * 4 + 1_000;
  const hexes: HexCoverage[] = [];
  let after = options.cursor ?? '';
  let examined = 0;
  let r = 0;
  while (r < sorted.length && hexes.length < options.limit) {
    if (examined >= budget) return { hexes, nextCursor: after };
    const batch = sorted.slice(r, r + RANGES_PER_QUERY).filter((x) => x.hi > after);
    const want = Math.min(options.limit - hexes.length, budget - examined);
    const rows = batch.length === 0 ? [] : await candidatesIn(sql, res, batch, after, want, days === undefined);
    examined += rows.length;
    if (rows.length < want) r += RANGES_PER_QUERY; // every range of the batch is exhausted past `after`
    if (rows.length === 0) continue;
    after = rows[rows.length - 1]!.h3;
    if (days === undefined) {
      for (const row of rows) hexes.push(toHexCoverage(row));
    } else {
      const heard = await historyRows(sql, res, sql`coverage_hex_hotspot_days d WHERE d.day = ANY(${daysOf(days)}::date[]) AND d.h3 = ANY(${rows.map((x) => x.h3)}::text[])`);
      for (const row of heard) hexes.push(toHexCoverage(row));
    }
  }
  const full = hexes.length >= options.limit;
  const page = hexes.slice(0, options.limit);
  return { hexes: page, nextCursor: full ? page[page.length - 1]!.h3 : r < sorted.length ? after : null };
}

/** Up to `limit` coverage_hexes rows after `after` in the ranges, in h3 order; each range is read at most `limit` rows. */
function candidatesIn(sql: Sql, res: number, ranges: { lo: string; hi: string }[], after: string, limit: number, fullRows: boolean) {
  return sql<HexRow[]>`
    SELECT c.* FROM unnest(${ranges.map((x) => x.lo)}::text[], ${ranges.map((x) => x.hi)}::text[]) AS r(lo, hi)
    CROSS JOIN LATERAL (
      SELECT ${fullRows ? sql.unsafe(HEX_COLUMNS) : sql`c.h3`} FROM coverage_hexes c
      WHERE c.resolution = ${res} AND c.h3 BETWEEN r.lo AND r.hi AND c.h3 > ${after}
      ORDER BY c.h3 LIMIT ${limit}) c
    ORDER BY c.h3
    LIMIT ${limit}`;
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
  /** How this hotspot's measurements of the hex were made: PoC beacons heard ('witness'), mapper frames heard ('mapper'). */
  sources: ('witness' | 'mapper')[];
}

/**
 * Hotspots that heard a hex (any resolution: coarser hexes gather their res-9 descendants). With a time filter, from
 * the daily history of the hex itself (the oracle writes it at every resolution, so a rollup's rows already gather its
 * descendants), aggregated over the filter's days.
 */
export async function hotspotsForHex(sql: Sql, h3: string, time: TimeFilter = {}, limit = 100): Promise<HexHotspot[]> {
  const res = getResolution(h3);
  const { lo, hi } = res === 9 ? { lo: h3, hi: h3 } : descendantRange(h3, 9);
  type Row = { hotspot: string; name: string | null; lat: number | null; lng: number | null; best_rssi: number; best_snr: number; witness_count: bigint; last_seen_at: Date; sources: HexHotspot['sources'] };
  // Filtered: the hex's own daily history (the oracle writes it at every resolution); else all-time rows of its res-9 cells.
  const [from, where] = time.days
    ? [sql`coverage_hex_hotspot_days x`, sql`x.day = ANY(${daysOf(time.days)}::date[]) AND x.h3 = ${h3}`]
    : [sql`coverage_hex_hotspots x`, sql`x.h3 BETWEEN ${lo} AND ${hi}`];
  const rows = await sql<Row[]>`
    SELECT x.hotspot, h.name, h.lat, h.lng, max(x.best_rssi) AS best_rssi, max(x.best_snr) AS best_snr,
           sum(x.witness_count)::bigint AS witness_count, max(x.last_seen_at) AS last_seen_at, array_agg(DISTINCT x.source ORDER BY x.source) AS sources
    FROM ${from} LEFT JOIN hotspots h ON h.address = x.hotspot
    WHERE ${where}
    GROUP BY x.hotspot, h.name, h.lat, h.lng
    ORDER BY max(x.best_rssi) DESC, x.hotspot
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
    sources: r.sources,
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
