import type { Sql } from 'postgres';
import { DENSITY_RECIP_WINDOW_MS } from '../verify/constants';
import { computeHexDensity, hexScaleFor } from './hex-density';

/** The current HIP-17 density map, rebuilt from hotspots with a reciprocal beacon in the last 61 h (Helium's input set). */
export class HexDensityCache {
  private map = new Map<string, number>();
  refreshedAt = 0;

  async refresh(sql: Sql, nowMs = Date.now()): Promise<number> {
    const since = new Date(nowMs - DENSITY_RECIP_WINDOW_MS);
    const rows = await sql<{ location_h3: string }[]>`
      SELECT location_h3 FROM hotspots WHERE location_h3 IS NOT NULL AND last_beacon_recip_at >= ${since}`;
    this.map = computeHexDensity(rows.map((r) => r.location_h3));
    this.refreshedAt = nowMs;
    return this.map.size;
  }

  scale(cell: string | null): number {
    return hexScaleFor(this.map, cell);
  }
}
