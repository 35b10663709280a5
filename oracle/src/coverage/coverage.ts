import { cellToParent } from 'h3-js';
import type { Sql, TransactionSql } from 'postgres';

/** Resolutions the map rolls res-9 coverage up to. */
export const ROLLUP_RESOLUTIONS = [8, 7, 6, 5, 4] as const;
export const COVERAGE_RESOLUTION = 9;

/** Where a coverage measurement came from (migration 013): a PoC beacon heard, or a mapper device's frame heard. */
export type CoverageSource = 'witness' | 'mapper';

/**
 * One heard transmission, recorded at the transmitter's res-9 hex with the receiving hotspot's signal: a beacon
 * (beaconer → witness, source 'witness', the default) or a mapper frame (device → hotspot, source 'mapper').
 */
export interface CoverageMeasurement {
  h3Res9: string;
  /** The hotspot that heard it. */
  witness: string;
  signal: number;
  snr: number;
  at: Date;
  source?: CoverageSource;
}

/** The UTC calendar day of an instant, as PostgreSQL's `date` text ('YYYY-MM-DD'): the unit of coverage history. */
export function utcDay(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Days of coverage history kept by default (see oracle/README.md, "Coverage history"). */
export const DEFAULT_COVERAGE_HISTORY_DAYS = 90;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface DayAgg {
  h3: string;
  day: string;
  hotspot: string;
  source: CoverageSource;
  bestRssi: number;
  bestSnr: number;
  count: number;
  last: Date;
}

interface Agg {
  h3: string;
  resolution: number;
  hotspot: string;
  source: CoverageSource;
  /** Measurements from mapper frames (coverage_hexes.mapper_count). */
  mapperCount: number;
  bestRssi: number;
  bestSnr: number;
  count: number;
  first: Date;
  last: Date;
}

/** Folds one more measurement into an aggregate: best signal and SNR, one more witness, newest time. */
function absorb(agg: { bestRssi: number; bestSnr: number; count: number; last: Date }, m: CoverageMeasurement): void {
  agg.bestRssi = Math.max(agg.bestRssi, m.signal);
  agg.bestSnr = Math.max(agg.bestSnr, m.snr);
  agg.count++;
  if (m.at > agg.last) agg.last = m.at;
}

/**
 * Upserts res-9 coverage and its res-8…4 rollups. Distinct-hotspot counts stay exact incrementally because
 * coverage_hex_hotspots keeps one row per (cell, hotspot) at every resolution; only newly inserted rows add to them.
 * The daily history (coverage_hex_hotspot_days: per cell, UTC day and hotspot, every resolution) is upserted in the
 * same transaction with the same merge rules (max signal, added counts, newest time), so for any retained day range it
 * aggregates to exactly what coverage_hexes would hold had only that range been recorded.
 */
export async function recordCoverage(sql: Sql | TransactionSql, measurements: readonly CoverageMeasurement[]): Promise<void> {
  if (measurements.length === 0) return;
  const byKey = new Map<string, Agg>();
  const byDay = new Map<string, DayAgg>();
  for (const m of measurements) {
    const cells: [string, number][] = [[m.h3Res9, COVERAGE_RESOLUTION], ...ROLLUP_RESOLUTIONS.map((r) => [cellToParent(m.h3Res9, r), r] as [string, number])];
    const day = utcDay(m.at);
    const source = m.source ?? 'witness';
    const fromMapper = source === 'mapper' ? 1 : 0;
    for (const [h3, resolution] of cells) {
      const dayKey = `${h3}|${day}|${m.witness}|${source}`;
      const d = byDay.get(dayKey);
      if (!d) byDay.set(dayKey, { h3, day, hotspot: m.witness, source, bestRssi: m.signal, bestSnr: m.snr, count: 1, last: m.at });
      else absorb(d, m);
      const key = `${h3}|${m.witness}|${source}`;
      const agg = byKey.get(key);
      if (!agg) byKey.set(key, { h3, resolution, hotspot: m.witness, source, mapperCount: fromMapper, bestRssi: m.signal, bestSnr: m.snr, count: 1, first: m.at, last: m.at });
      else {
        absorb(agg, m);
        agg.mapperCount += fromMapper;
        if (m.at < agg.first) agg.first = m.at;
      }
    }
  }
  // A fixed row order keeps concurrent workers from deadlocking on each other's rows.
  const pairs = [...byKey.values()].sort((a, b) => cmp(a.h3, b.h3) || cmp(a.hotspot, b.hotspot) || cmp(a.source, b.source));
  // A hotspot is new to a cell when its row is new and no row of the other source had it already (before this
  // statement; both sources new in this same call are told apart below).
  const inserted = await sql<{ h3: string; hotspot: string; inserted: boolean }[]>`
    INSERT INTO coverage_hex_hotspots (h3, hotspot, source, best_rssi, best_snr, witness_count, last_seen_at)
    SELECT * FROM unnest(${pairs.map((p) => p.h3)}::text[], ${pairs.map((p) => p.hotspot)}::text[], ${pairs.map((p) => p.source)}::text[],
                         ${pairs.map((p) => p.bestRssi)}::int[], ${pairs.map((p) => p.bestSnr)}::int[], ${pairs.map((p) => p.count)}::bigint[],
                         ${pairs.map((p) => p.last.toISOString())}::timestamptz[])
    ON CONFLICT (h3, hotspot, source) DO UPDATE SET
      best_rssi = GREATEST(coverage_hex_hotspots.best_rssi, EXCLUDED.best_rssi),
      best_snr = GREATEST(coverage_hex_hotspots.best_snr, EXCLUDED.best_snr),
      witness_count = coverage_hex_hotspots.witness_count + EXCLUDED.witness_count,
      last_seen_at = GREATEST(coverage_hex_hotspots.last_seen_at, EXCLUDED.last_seen_at)
    RETURNING h3, hotspot, (xmax = 0 AND NOT EXISTS (
      SELECT 1 FROM coverage_hex_hotspots o
      WHERE o.h3 = coverage_hex_hotspots.h3 AND o.hotspot = coverage_hex_hotspots.hotspot AND o.source <> coverage_hex_hotspots.source)) AS inserted`;
  const newHotspots = new Map<string, number>();
  const counted = new Set<string>();
  for (const r of inserted) {
    if (!r.inserted || counted.has(`${r.h3}|${r.hotspot}`)) continue;
    counted.add(`${r.h3}|${r.hotspot}`);
    newHotspots.set(r.h3, (newHotspots.get(r.h3) ?? 0) + 1);
  }

  const cells = new Map<string, Agg>();
  for (const p of pairs) {
    const c = cells.get(p.h3);
    if (!c) cells.set(p.h3, { ...p });
    else {
      c.bestRssi = Math.max(c.bestRssi, p.bestRssi);
      c.bestSnr = Math.max(c.bestSnr, p.bestSnr);
      c.count += p.count;
      c.mapperCount += p.mapperCount;
      if (p.first < c.first) c.first = p.first;
      if (p.last > c.last) c.last = p.last;
    }
  }
  const hexes = [...cells.values()].sort((a, b) => a.resolution - b.resolution || cmp(a.h3, b.h3));
  await sql`
    INSERT INTO coverage_hexes (h3, resolution, best_rssi, best_snr, witness_count, hotspot_count, first_seen_at, last_seen_at, mapper_count)
    SELECT * FROM unnest(${hexes.map((h) => h.h3)}::text[], ${hexes.map((h) => h.resolution)}::smallint[], ${hexes.map((h) => h.bestRssi)}::int[],
                         ${hexes.map((h) => h.bestSnr)}::int[], ${hexes.map((h) => h.count)}::bigint[], ${hexes.map((h) => newHotspots.get(h.h3) ?? 0)}::int[],
                         ${hexes.map((h) => h.first.toISOString())}::timestamptz[], ${hexes.map((h) => h.last.toISOString())}::timestamptz[],
                         ${hexes.map((h) => h.mapperCount)}::bigint[])
    ON CONFLICT (resolution, h3) DO UPDATE SET
      best_rssi = GREATEST(coverage_hexes.best_rssi, EXCLUDED.best_rssi),
      best_snr = GREATEST(coverage_hexes.best_snr, EXCLUDED.best_snr),
      witness_count = coverage_hexes.witness_count + EXCLUDED.witness_count,
      hotspot_count = coverage_hexes.hotspot_count + EXCLUDED.hotspot_count,
      mapper_count = coverage_hexes.mapper_count + EXCLUDED.mapper_count,
      first_seen_at = LEAST(coverage_hexes.first_seen_at, EXCLUDED.first_seen_at),
      last_seen_at = GREATEST(coverage_hexes.last_seen_at, EXCLUDED.last_seen_at)`;

  // Same fixed order as the primary key (day, h3, hotspot, source), after the two tables above, for every worker.
  const days = [...byDay.values()].sort((a, b) => cmp(a.day, b.day) || cmp(a.h3, b.h3) || cmp(a.hotspot, b.hotspot) || cmp(a.source, b.source));
  await sql`
    INSERT INTO coverage_hex_hotspot_days (h3, day, hotspot, source, best_rssi, best_snr, witness_count, last_seen_at)
    SELECT * FROM unnest(${days.map((d) => d.h3)}::text[], ${days.map((d) => d.day)}::date[], ${days.map((d) => d.hotspot)}::text[],
                         ${days.map((d) => d.source)}::text[], ${days.map((d) => d.bestRssi)}::int[], ${days.map((d) => d.bestSnr)}::int[],
                         ${days.map((d) => d.count)}::int[], ${days.map((d) => d.last.toISOString())}::timestamptz[])
    ON CONFLICT (day, h3, hotspot, source) DO UPDATE SET
      best_rssi = GREATEST(coverage_hex_hotspot_days.best_rssi, EXCLUDED.best_rssi),
      best_snr = GREATEST(coverage_hex_hotspot_days.best_snr, EXCLUDED.best_snr),
      witness_count = coverage_hex_hotspot_days.witness_count + EXCLUDED.witness_count,
      last_seen_at = GREATEST(coverage_hex_hotspot_days.last_seen_at, EXCLUDED.last_seen_at)`;
}
