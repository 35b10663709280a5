import type { Sql } from 'postgres';

/**
 * Geospatial plausibility beyond Helium. Every located beaconer→witness pair gives a link sample: the asserted
 * distance and the margin of the received signal against the free-space maximum for that distance (both antenna
 * gains). Real terrain loses 10–30 dB more than free space, so an honest link sits well below the bound. A hotspot
 * whose asserted location is false (moved far away on paper, or "close" to hotspots it is not near) produces links
 * that are too strong for their distance, or out of range, with most of its neighbours — while each honest neighbour
 * sees that only on its one link with the liar. The trust score is therefore driven by the *share* of a hotspot's
 * links that are implausible, over a window of many beacons.
 */
export interface TrustParams {
  /** Fewer samples than this: not enough evidence, trust 1. */
  minSamples: number;
  /** A link is implausible when its signal is within this much (dB×10) of the free-space maximum, or above it. */
  marginDdb: number;
  /** Share of implausible links tolerated before trust falls (line-of-sight links do come close to free space). */
  tolerated: number;
  /** Share at and above which trust is 0. */
  zeroAt: number;
}

export const DEFAULT_TRUST_PARAMS: TrustParams = { minSamples: 10, marginDdb: -30, tolerated: 0.25, zeroAt: 0.75 };

/** Linear from 1 at `tolerated` to 0 at `zeroAt`, 4 dp so reward shares stay exact integers. */
export function trustScore(samples: number, implausible: number, p: TrustParams = DEFAULT_TRUST_PARAMS): number {
  if (samples < p.minSamples) return 1;
  const share = implausible / samples;
  const t = 1 - (share - p.tolerated) / (p.zeroAt - p.tolerated);
  return Math.round(Math.min(1, Math.max(0, t)) * 10_000) / 10_000;
}

/** Recomputes every hotspot's trust from its links in the window and stores it (hotspot_trust and hotspots.trust_score). */
export async function updateTrustScores(sql: Sql, windowHours = 168, p: TrustParams = DEFAULT_TRUST_PARAMS): Promise<number> {
  const since = new Date(Date.now() - windowHours * 3600_000);
  const rows = await sql<{ hotspot: string; samples: number; implausible: number; median_margin: number | null }[]>`
    WITH link AS (
      SELECT w.hotspot AS witness, b.hotspot AS beaconer,
             (w.distance_m >= 101000 OR w.rssi_margin > ${p.marginDdb}) AS bad, w.rssi_margin
      FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
      WHERE w.processed_at >= ${since} AND w.distance_m IS NOT NULL AND w.hotspot <> b.hotspot
        AND w.reason IS DISTINCT FROM 'duplicate'
    ), sample AS (
      SELECT witness AS hotspot, bad, rssi_margin FROM link
      UNION ALL SELECT beaconer, bad, rssi_margin FROM link
    )
    SELECT hotspot, count(*)::int AS samples, count(*) FILTER (WHERE bad)::int AS implausible,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY rssi_margin) AS median_margin
    FROM sample GROUP BY hotspot`;
  if (rows.length === 0) return 0;
  const scored = rows.map((r) => ({ ...r, trust: trustScore(r.samples, r.implausible, p) })).sort((a, b) => (a.hotspot < b.hotspot ? -1 : 1));
  await sql.begin(async (tx) => {
    await tx`
      INSERT INTO hotspot_trust (hotspot, samples, implausible, median_margin, trust_score, updated_at)
      SELECT *, now() FROM unnest(${scored.map((r) => r.hotspot)}::text[], ${scored.map((r) => r.samples)}::int[], ${scored.map((r) => r.implausible)}::int[],
                                  ${scored.map((r) => r.median_margin)}::int[], ${scored.map((r) => r.trust)}::float8[])
      ON CONFLICT (hotspot) DO UPDATE SET samples = EXCLUDED.samples, implausible = EXCLUDED.implausible,
        median_margin = EXCLUDED.median_margin, trust_score = EXCLUDED.trust_score, updated_at = now()`;
    // Lock in address order, as the PoC processor does, so the two never deadlock.
    await tx`SELECT 1 FROM hotspots WHERE address IN (SELECT hotspot FROM hotspot_trust) ORDER BY address FOR UPDATE`;
    await tx`
      UPDATE hotspots h SET trust_score = t.trust_score FROM hotspot_trust t
      WHERE t.hotspot = h.address AND h.trust_score IS DISTINCT FROM t.trust_score`;
  });
  return scored.length;
}
