import type { FitSums } from './fit';
import type { PropagationModel } from './model';

/**
 * How the spread of links around the model divides into each receiver's site (an offset shared by all its links: mast
 * height, antenna, clutter) and the rest (path and packet, link by link) — the τ and σ_within of `siteAwareModel`
 * (location-check.ts; packages/radio/README.md §Location plausibility). Estimated from residuals grouped by receiver
 * with the one-way random-effects method of moments (ANOVA): the within-group mean square estimates σ_within², and the
 * between-group mean square exceeds it by n₀·τ², n₀ the effective group size of unbalanced groups.
 *
 * τ here is the spread of the site offsets around the *model* (√(τ²_ANOVA + mean offset²)): the location check tests a
 * hotspot's mean excess against the model's mean, so a region that hears systematically above the model is honest
 * variation the check has to allow for, as much as one site differing from another.
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
}

export const DEFAULT_SITE_SPLIT: SiteSplitParams = { minGroups: 10, minLinksPerGroup: 3, withinFloorDb: 3, siteFloorDb: 2 };

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

/** The split from receivers' residual groups, or null with fewer than `minGroups` receivers of `minLinksPerGroup` links. */
export function estimateSiteSplit(groups: readonly ResidualGroup[], p: SiteSplitParams = DEFAULT_SITE_SPLIT): SiteSplit | null {
  const usable = groups.filter(
    (g) => g.links >= Math.max(2, p.minLinksPerGroup) && Number.isFinite(g.sumDb) && Number.isFinite(g.sumSquaresDb2),
  );
  const k = usable.length;
  if (k < Math.max(2, p.minGroups)) return null;
  let links = 0;
  let sum = 0;
  let sumOfSquaredSizes = 0;
  let withinSquares = 0;
  for (const g of usable) {
    links += g.links;
    sum += g.sumDb;
    sumOfSquaredSizes += g.links * g.links;
    // Σ(e − ē)² = Σe² − (Σe)²/n; rounding can take it a hair below zero.
    withinSquares += Math.max(0, g.sumSquaresDb2 - (g.sumDb * g.sumDb) / g.links);
  }
  const grandMean = sum / links;
  let betweenSquares = 0;
  for (const g of usable) betweenSquares += g.links * (g.sumDb / g.links - grandMean) ** 2;
  const withinMeanSquare = withinSquares / (links - k);
  const betweenMeanSquare = betweenSquares / (k - 1);
  const effectiveGroupSize = (links - sumOfSquaredSizes / links) / (k - 1);
  const siteVariance = Math.max(0, (betweenMeanSquare - withinMeanSquare) / effectiveGroupSize);
  return {
    withinSdDb: Math.max(p.withinFloorDb, Math.sqrt(withinMeanSquare)),
    siteSdDb: Math.max(p.siteFloorDb, Math.sqrt(siteVariance + grandMean ** 2)),
    meanOffsetDb: grandMean,
    groups: k,
    links,
  };
}
