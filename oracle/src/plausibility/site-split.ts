import { siteSplitFromTotals, type PropagationModel, type SiteSplit, type SiteSplitParams, type SplitTotals } from '@poc/radio';
import type { Sql } from 'postgres';
import type { FitSource } from './radio-fit';

/**
 * How each source's link spread splits into the hotspot's site and the rest (σ_within, τ) in the region, estimated
 * once per trust refresh from the per-hotspot fits (hotspot_radio_fits, migration 016): each hotspot's sums give the
 * count, sum and sum of squares of its links' excess over the check's model (@poc/radio residualGroupOfSums), and
 * @poc/radio's siteSplitFromTotals takes the one-way random-effects estimate from their totals, which the database
 * aggregates (oracle/README.md §Location check). Per region where it has enough hotspots, else over all regions, else
 * none (the location check keeps its prior split).
 *
 * Left out: hotspots with a location finding (their excess is measured from a location that is in dispute) and those
 * whose mean excess is more than `MAX_OFFSET_SIGMAS` model σ from the model (a spoofer asserting a far location has
 * not been checked yet at its first refresh; it would widen τ for everyone); each hotspot counts at most
 * `maxLinksPerHotspot` links (its sums scaled down, mean and spread kept), so one hotspot flooding receipts does not
 * weigh as many. The ceiling (SiteSplitParams.ceilingDb) bounds what the hotspots let in can widen it to.
 */
export interface SourceSplits {
  /** Over all regions; null below the minimum number of hotspots. */
  overall: SiteSplit | null;
  byRegion: ReadonlyMap<string, SiteSplit>;
}

export type SiteSplits = Readonly<Record<FitSource, SourceSplits>>;

export const NO_SITE_SPLITS: SiteSplits = {
  witness: { overall: null, byRegion: new Map() },
  mapper: { overall: null, byRegion: new Map() },
};

export interface SiteSplitSource {
  model: PropagationModel;
  split: SiteSplitParams;
}

export const MAX_OFFSET_SIGMAS = 3;

interface TotalsRow {
  region: string | null;
  overall: boolean;
  groups: number;
  links: number | null;
  sum_of_squared_sizes: number | null;
  sum_db: number | null;
  sum_of_squared_sums_over_size: number | null;
  sum_squares_db2: number | null;
}

async function sourceSplits(sql: Sql, source: FitSource, s: SiteSplitSource, maxLinksPerHotspot: number): Promise<SourceSplits> {
  const a = s.model.pathLossAt1kmDb;
  const b = 10 * s.model.exponent;
  // Per hotspot: n, S = Σ excess, Q = Σ excess² from the fit's sums (e = a + b·x − y), scaled by w = min(1, cap / n).
  const rows = await sql<TotalsRow[]>`
    WITH g AS (
      SELECT h.region, least(1.0, ${maxLinksPerHotspot}::float8 / f.links) AS w, f.links::float8 AS n,
             f.links * ${a}::float8 + ${b}::float8 * f.sx - f.sy AS s,
             f.links * ${a * a}::float8 + ${b * b}::float8 * f.sxx + f.syy + ${2 * a * b}::float8 * f.sx - ${2 * a}::float8 * f.sy - ${2 * b}::float8 * f.sxy AS q
      FROM hotspot_radio_fits f JOIN hotspots h ON h.address = f.hotspot
      WHERE f.source = ${source} AND f.links >= ${Math.max(2, s.split.minLinksPerGroup)}
        AND NOT EXISTS (SELECT 1 FROM hotspot_flags x WHERE x.hotspot = f.hotspot AND x.evidence = 'location_mismatch')
    )
    SELECT region, grouping(region) = 1 AS overall, count(*)::int AS groups, sum(w * n) AS links, sum((w * n) ^ 2) AS sum_of_squared_sizes,
           sum(w * s) AS sum_db, sum(w * s * s / n) AS sum_of_squared_sums_over_size, sum(w * q) AS sum_squares_db2
    FROM g WHERE abs(s) < 1e200 AND abs(q) < 1e200 AND abs(s / n) <= ${MAX_OFFSET_SIGMAS * s.model.shadowingSdDb}::float8
    GROUP BY GROUPING SETS ((region), ())`;
  const estimate = (r: TotalsRow): SiteSplit | null => {
    const totals: SplitTotals = {
      groups: r.groups,
      links: r.links ?? 0,
      sumOfSquaredSizes: r.sum_of_squared_sizes ?? 0,
      sumDb: r.sum_db ?? 0,
      sumOfSquaredSumsOverSize: r.sum_of_squared_sums_over_size ?? 0,
      sumSquaresDb2: r.sum_squares_db2 ?? 0,
    };
    return siteSplitFromTotals(totals, s.split);
  };
  const byRegion = new Map<string, SiteSplit>();
  let overall: SiteSplit | null = null;
  for (const r of rows) {
    const split = estimate(r);
    if (r.overall) overall = split;
    else if (split && r.region !== null) byRegion.set(r.region, split);
  }
  return { overall, byRegion };
}

export async function estimateSiteSplits(sql: Sql, sources: Readonly<Record<FitSource, SiteSplitSource>>, maxLinksPerHotspot: number): Promise<SiteSplits> {
  return {
    witness: await sourceSplits(sql, 'witness', sources.witness, maxLinksPerHotspot),
    mapper: await sourceSplits(sql, 'mapper', sources.mapper, maxLinksPerHotspot),
  };
}

/** The split for a hotspot in `region`: its region's, else the overall one, else null (the check's prior split). */
export function siteSplitFor(splits: SiteSplits, source: FitSource, region: string | null | undefined): SiteSplit | null {
  const s = splits[source];
  return (region != null ? s.byRegion.get(region) : undefined) ?? s.overall;
}
