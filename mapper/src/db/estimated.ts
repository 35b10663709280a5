import { cellToLatLng } from 'h3-js';
import type { Sql } from 'postgres';

/** One cell of the oracle's estimated coverage for the reference device (oracle/migrations/019_estimated_coverage.sql). */
export interface EstimatedHex {
  h3: string;
  resolution: number;
  lat: number;
  lng: number;
  /** Res 9: probability one uplink of the reference device is heard; rollups: the highest of their res-9 cells. */
  probability: number;
  /** Share of the cell's res-9 cells expected covered (res 9: = probability). */
  covered_share: number;
  expected_hotspots: number;
  predicted_rssi_dbm: number;
  hotspot_count: number;
}

interface Row {
  h3: string;
  resolution: number;
  probability: number;
  covered_cells: number;
  expected_hotspots: number;
  best_rssi: number;
  hotspot_count: number;
}

/** Up to `limit` estimated cells at `res` in the index ranges, after `after`, in h3 order (each range read at most `limit` rows). */
export async function estimatedHexesInRanges(sql: Sql, res: number, ranges: { lo: string; hi: string }[], after: string, limit: number): Promise<EstimatedHex[]> {
  if (ranges.length === 0) return [];
  const rows = await sql<Row[]>`
    SELECT e.* FROM unnest(${ranges.map((x) => x.lo)}::text[], ${ranges.map((x) => x.hi)}::text[]) AS r(lo, hi)
    CROSS JOIN LATERAL (
      SELECT h3, resolution, probability, covered_cells, expected_hotspots, best_rssi, hotspot_count FROM estimated_coverage_hexes e
      WHERE e.resolution = ${res} AND e.h3 BETWEEN r.lo AND r.hi AND e.h3 > ${after}
      ORDER BY e.h3 LIMIT ${limit}) e
    ORDER BY e.h3
    LIMIT ${limit}`;
  const cellsPerHex = 7 ** (9 - res);
  return rows.map((r) => {
    const [lat, lng] = cellToLatLng(r.h3);
    return {
      h3: r.h3,
      resolution: r.resolution,
      lat,
      lng,
      probability: Number(r.probability.toFixed(3)),
      covered_share: Number((r.covered_cells / cellsPerHex).toFixed(3)),
      expected_hotspots: Number(r.expected_hotspots.toFixed(2)),
      predicted_rssi_dbm: r.best_rssi / 10,
      hotspot_count: r.hotspot_count,
    };
  });
}
