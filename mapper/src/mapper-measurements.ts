import { cellToParent } from 'h3-js';
import type { Sql } from 'postgres';
import { daysOf, type TimeFilter } from './db/coverage';
import { PeriodicReload } from './periodic-reload';

/** Rows (cell × UTC day × kind) held; beyond it the oldest days are left out. */
const MAX_ROWS = 1_000_000;
const ROLLUP_RESOLUTIONS = [8, 7, 6, 5, 4];

export type MeasurementKind = 'mapper' | 'no_signal';

export interface Measurements {
  /** Measurements in the time window: mapper frames heard (per hotspot), or logged frames no hotspot heard. */
  count: number;
  /** Newest of them. */
  lastAt: Date;
}

/**
 * What mapper devices measured per cell and UTC day, reloaded every `reloadMs` so point answers stay synchronous:
 * 'mapper' — coverage rows from mapper frames heard by hotspots (coverage_hex_hotspot_days.source = 'mapper', all
 * resolutions); 'no_signal' — logged frames the oracle judged unheard (mapper_log_entries.status = 'no_signal', res 9
 * with its parents). The state rule (mapper/README.md §Mapper logs): in a time window a cell is measured covered if
 * any measurement (witness or mapper) heard it then; measured no-signal only without one.
 */
export class MapperMeasurements extends PeriodicReload {
  private byKind: Record<MeasurementKind, Map<string, Map<string, Measurements>>> = { mapper: new Map(), no_signal: new Map() };

  constructor(
    private readonly sql: Sql,
    options: { reloadMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    super({ reloadMs: options.reloadMs ?? 10_000, onError: options.onError });
  }

  async reload(): Promise<void> {
    type Row = { h3: string; day: string; n: number; last_at: Date };
    const [noSignal, mapper] = await Promise.all([
      this.sql<Row[]>`
        SELECT h3, to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n, max(sent_at) AS last_at
        FROM mapper_log_entries WHERE status = 'no_signal' GROUP BY 1, 2 ORDER BY 2 DESC LIMIT ${MAX_ROWS}`,
      this.sql<Row[]>`
        SELECT h3, day::text AS day, sum(witness_count)::int AS n, max(last_seen_at) AS last_at
        FROM coverage_hex_hotspot_days WHERE source = 'mapper' GROUP BY 1, 2 ORDER BY 2 DESC LIMIT ${MAX_ROWS}`,
    ]);
    const noSignalByCell = new Map<string, Map<string, Measurements>>();
    for (const r of noSignal) for (const cell of [r.h3, ...ROLLUP_RESOLUTIONS.map((res) => cellToParent(r.h3, res))]) add(noSignalByCell, cell, r);
    const mapperByCell = new Map<string, Map<string, Measurements>>();
    for (const r of mapper) add(mapperByCell, r.h3, r);
    this.byKind = { mapper: mapperByCell, no_signal: noSignalByCell };
  }

  /** The cell's measurements of `kind` in the filter's days (all time without days); null when none. */
  at(kind: MeasurementKind, h3: string, time: TimeFilter): Measurements | null {
    const days = this.byKind[kind].get(h3);
    if (!days) return null;
    let count = 0;
    let lastAt: Date | null = null;
    for (const day of time.days ? daysOf(time.days) : days.keys()) {
      const m = days.get(day);
      if (!m) continue;
      count += m.count;
      if (!lastAt || m.lastAt > lastAt) lastAt = m.lastAt;
    }
    return lastAt ? { count, lastAt } : null;
  }
}

function add(byCell: Map<string, Map<string, Measurements>>, cell: string, r: { day: string; n: number; last_at: Date }) {
  let days = byCell.get(cell);
  if (!days) byCell.set(cell, (days = new Map()));
  const seen = days.get(r.day);
  days.set(r.day, seen ? { count: seen.count + r.n, lastAt: seen.lastAt > r.last_at ? seen.lastAt : r.last_at } : { count: r.n, lastAt: r.last_at });
}
