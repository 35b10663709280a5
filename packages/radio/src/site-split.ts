import type { FitSums } from './fit';
import type { PropagationModel } from './model';

/**
 * How the spread of links around the model divides into each receiver's site (an offset shared by all its links: mast
 * height, antenna, clutter) and the rest (path and packet, link by link) — the τ and σ_within of `siteAwareModel`
 * (location-check.ts; packages/radio/README.md §Location plausibility). Estimated from residuals grouped by receiver
 * with the one-way random-effects method of moments (ANOVA): the within-group mean square estimates σ_within², and the
 * between-group mean square exceeds it by n₀·τ², n₀ the effective group size of unbalanced groups.
 *
 * τ here is, by default, the spread of the site offsets around the *model* (√(τ²_ANOVA + mean offset²)): the location
 * check tests a hotspot's mean excess against the model's mean, so a region that hears systematically above the model
 * is honest variation the check has to allow for, as much as one site differing from another.
 */
export interface ResidualGroup {
  /** Links of one receiver, and the sum and sum of squares of their excess over the model (signal − model mean), dB. */
  links: number;
  sumDb: number;
  sumSquaresDb2: number;
}

export interface SiteSplit {
  /** Spread of one receiver's links around its own offset, dB. */
  withinSdDb: number;
  /** Spread of receivers' offsets around the model (between-site, mean offset included), dB. */
  siteSdDb: number;
  /** Mean receiver offset over the model (links weighted), dB: positive = heard stronger than the model says. */
  meanOffsetDb: number;
  /** Receivers and links the estimate rests on. */
  groups: number;
  links: number;
}

export interface SiteSplitParams {
  /** Fewer usable receivers than this: no estimate (the caller keeps its prior split). */
  minGroups: number;
  /** A receiver with fewer links says nothing about the spread within one. */
  minLinksPerGroup: number;
  /** Neither part is taken below these: quantised reports and packet fading alone spread one receiver's links. */
  withinFloorDb: number;
  siteFloorDb: number;
  /**
   * Count the mean offset over the model as site spread (τ around the model, above). Off where the check corrects
   * the mean itself (the oracle's witness links, judged against the mean given reception: their mean excess is
   * mostly that selection).
   */
  meanOffsetIsSiteSpread: boolean;
  /** Neither part above this, dB (the oracle: the model's σ, so hotspots with absurd offsets cannot widen it further). */
  ceilingDb?: number;
}

export const DEFAULT_SITE_SPLIT: SiteSplitParams = { minGroups: 10, minLinksPerGroup: 3, withinFloorDb: 3, siteFloorDb: 2, meanOffsetIsSiteSpread: true };

/** The split that assumes σ_within and gives the site the rest of the model's σ (τ² = σ² − σ_within²). */
export function splitOfModel(model: PropagationModel, withinSdDb: number): Pick<SiteSplit, 'withinSdDb' | 'siteSdDb'> {
  return { withinSdDb, siteSdDb: Math.sqrt(Math.max(0, model.shadowingSdDb ** 2 - withinSdDb ** 2)) };
}

export function residualGroup(excessDb: readonly number[]): ResidualGroup {
  let sumDb = 0;
  let sumSquaresDb2 = 0;
  for (const e of excessDb) {
    sumDb += e;
    sumSquaresDb2 += e * e;
  }
  return { links: excessDb.length, sumDb, sumSquaresDb2 };
}

/**
 * A per-hotspot fit's sums (fit.ts: x = log10(d / 1 km), y = path loss with the frequency term removed) as excess over
 * the model's log-distance line: e = pathLossAt1km + 10·n·x − y. The free-space floor of meanPathLossDb is not
 * applied (the sums do not keep the distances); it matters only within a few hundred metres.
 */
export function residualGroupOfSums(model: PropagationModel, sums: FitSums): ResidualGroup {
  const a = model.pathLossAt1kmDb;
  const b = 10 * model.exponent;
  const { n, sx, sxx, sy, sxy, syy } = sums;
  return {
    links: n,
    sumDb: n * a + b * sx - sy,
    sumSquaresDb2: n * a * a + b * b * sxx + syy + 2 * a * b * sx - 2 * a * sy - 2 * b * sxy,
  };
}

/**
 * What the estimate needs of the usable groups, all sums over groups (so a database can aggregate them): k, N = Σnᵢ,
 * Σnᵢ², Σ Sᵢ (Sᵢ = Σ excess of group i), Σ Sᵢ²/nᵢ, Σ Qᵢ (Qᵢ = Σ excess²).
 */
export interface SplitTotals {
  groups: number;
  links: number;
  sumOfSquaredSizes: number;
  sumDb: number;
  sumOfSquaredSumsOverSize: number;
  sumSquaresDb2: number;
}

export function usableGroup(g: ResidualGroup, p: SiteSplitParams = DEFAULT_SITE_SPLIT): boolean {
  return g.links >= Math.max(2, p.minLinksPerGroup) && Number.isFinite(g.sumDb) && Number.isFinite(g.sumSquaresDb2);
}

export function splitTotals(groups: readonly ResidualGroup[], p: SiteSplitParams = DEFAULT_SITE_SPLIT): SplitTotals {
  const t: SplitTotals = { groups: 0, links: 0, sumOfSquaredSizes: 0, sumDb: 0, sumOfSquaredSumsOverSize: 0, sumSquaresDb2: 0 };
  for (const g of groups) {
    if (!usableGroup(g, p)) continue;
    t.groups++;
    t.links += g.links;
    t.sumOfSquaredSizes += g.links * g.links;
    t.sumDb += g.sumDb;
    t.sumOfSquaredSumsOverSize += (g.sumDb * g.sumDb) / g.links;
    t.sumSquaresDb2 += g.sumSquaresDb2;
  }
  return t;
}

/** The split from receivers' residual groups, or null with fewer than `minGroups` receivers of `minLinksPerGroup` links. */
export function estimateSiteSplit(groups: readonly ResidualGroup[], p: SiteSplitParams = DEFAULT_SITE_SPLIT): SiteSplit | null {
  return siteSplitFromTotals(splitTotals(groups, p), p);
}

/**
 * The estimate from the totals: MSW = Σ(Qᵢ − Sᵢ²/nᵢ)/(N − k), MSB = (Σ Sᵢ²/nᵢ − (ΣSᵢ)²/N)/(k − 1),
 * n₀ = (N − Σnᵢ²/N)/(k − 1), τ²_ANOVA = (MSB − MSW)/n₀ (0 when negative).
 */
export function siteSplitFromTotals(t: SplitTotals, p: SiteSplitParams = DEFAULT_SITE_SPLIT): SiteSplit | null {
  const k = t.groups;
  if (k < Math.max(2, p.minGroups) || !(t.links > k)) return null;
  const values = [t.links, t.sumOfSquaredSizes, t.sumDb, t.sumOfSquaredSumsOverSize, t.sumSquaresDb2];
  if (!values.every(Number.isFinite)) return null;
  const grandMean = t.sumDb / t.links;
  // Rounding can take a sum of squares a hair below zero.
  const withinMeanSquare = Math.max(0, t.sumSquaresDb2 - t.sumOfSquaredSumsOverSize) / (t.links - k);
  const betweenMeanSquare = Math.max(0, t.sumOfSquaredSumsOverSize - (t.sumDb * t.sumDb) / t.links) / (k - 1);
  const effectiveGroupSize = (t.links - t.sumOfSquaredSizes / t.links) / (k - 1);
  const siteVariance = Math.max(0, (betweenMeanSquare - withinMeanSquare) / effectiveGroupSize);
  const offsetVariance = p.meanOffsetIsSiteSpread ? grandMean ** 2 : 0;
  const cap = (v: number) => Math.min(p.ceilingDb ?? Number.POSITIVE_INFINITY, v);
  return {
    withinSdDb: cap(Math.max(p.withinFloorDb, Math.sqrt(withinMeanSquare))),
    siteSdDb: cap(Math.max(p.siteFloorDb, Math.sqrt(siteVariance + offsetVariance))),
    meanOffsetDb: grandMean,
    groups: k,
    links: t.links,
  };
}
