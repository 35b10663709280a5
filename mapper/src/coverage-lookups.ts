import { getResolution } from 'h3-js';
import type { Sql } from 'postgres';
import type { CoverageIndex } from './coverage-index';
import { hexByCell, hexesByCells, isAllTime, type HexCoverage, type TimeFilter } from './db/coverage';

export interface CoverageLookups {
  cell(h3: string, time: TimeFilter): Promise<HexCoverage | null>;
  /** `cell` answered synchronously from memory; undefined when only PostgreSQL can answer. `resolution`: h3's, when the caller made it. */
  cellNow(h3: string, time: TimeFilter, resolution?: number): HexCoverage | null | undefined;
  cells(res: number, cells: string[], time: TimeFilter): Promise<Map<string, HexCoverage>>;
}

const CHUNK = 20_000;

/**
 * All-time lookups come from the in-memory index when it is loaded and holds the resolution, else from PostgreSQL;
 * time-filtered lookups always go to PostgreSQL (the daily history), since the index holds all-time aggregates only.
 */
export function coverageLookups(sql: Sql, index: CoverageIndex | null): CoverageLookups {
  const cellNow = (h3: string, time: TimeFilter, resolution?: number) =>
    isAllTime(time) && index?.serves(resolution ?? getResolution(h3)) ? index.lookup(h3) : undefined;
  return {
    async cell(h3, time) {
      const fromMemory = cellNow(h3, time);
      return fromMemory !== undefined ? fromMemory : hexByCell(sql, h3, time);
    },
    cellNow,
    async cells(res, cells, time) {
      if (isAllTime(time) && index?.serves(res)) return index.lookupMany(cells);
      const out = new Map<string, HexCoverage>();
      for (let i = 0; i < cells.length; i += CHUNK) for (const [k, v] of await hexesByCells(sql, res, cells.slice(i, i + CHUNK), time)) out.set(k, v);
      return out;
    },
  };
}
