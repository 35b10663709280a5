import type { FitSums } from './fit';
import type { PropagationModel } from './model';

/**
 * Does a hotspot's asserted antenna gain fit its links? (packages/radio/README.md §Antenna gain.) Every link budget
 * includes the asserted gains of both ends, so a hotspot that claims more gain than it has makes all its links — heard
 * as a witness and heard by others as a beaconer — look weaker than the model predicts by the same amount. The mean of
 * that deficit over its links, against how much honest sites differ from each other, is the evidence.
 */
export interface GainCheckParams {
  /** Spread of honest hotspots' mean offsets from the regional model (site height, real antenna, clutter), dB. */
  siteSdDb: number;
  /** Spread of one hotspot's links around its own offset, dB. */
  withinSdDb: number;
  /** Fewer links than this: no verdict. */
  minLinks: number;
  /** z of the mean deficit above which the asserted gain is not supported. */
  zThreshold: number;
}

/**
 * Site and within-hotspot spreads as measured on the fixture (README.md §Model). The honest deficits have a heavier
 * upper tail than a normal (indoor sites), so the threshold is set on the fixture for ≤ 1 % of honest hotspot-weeks
 * (`npm run spoof-eval`), not from the normal quantile.
 */
export const DEFAULT_GAIN_CHECK: GainCheckParams = { siteSdDb: 13.5, withinSdDb: 8, minLinks: 3, zThreshold: 2.7 };

export interface GainReason {
  kind: 'gain_unsupported';
  links: number;
  /** Mean loss beyond the model over the hotspot's links, dB (positive: weaker than predicted). */
  deficitDb: number;
  zScore: number;
  assertedGainDdbi: number;
  /** The gain that would put the links on the model: asserted minus the deficit, dBi×10. */
  impliedGainDdbi: number;
}

export interface GainVerdict {
  flagged: boolean;
  reasons: GainReason[];
  links: number;
  deficitDb: number | null;
  zScore: number | null;
  impliedGainDdbi: number | null;
}

/**
 * `sums` are a hotspot's path-loss samples in fit coordinates (HotspotFit.sums: x = log10(d / 1 km), y = link budget
 * with the asserted gains − signal − frequency term), so the mean deficit is ȳ − (PL₁ₖₘ + 10·n·x̄) of `model`.
 */
export function checkAntennaGain(model: PropagationModel, sums: FitSums, assertedGainDdbi: number, p: GainCheckParams = DEFAULT_GAIN_CHECK): GainVerdict {
  if (sums.n < p.minLinks || !Number.isFinite(sums.sy) || !Number.isFinite(sums.sx)) {
    return { flagged: false, reasons: [], links: sums.n, deficitDb: null, zScore: null, impliedGainDdbi: null };
  }
  const deficitDb = sums.sy / sums.n - (model.pathLossAt1kmDb + 10 * model.exponent * (sums.sx / sums.n));
  const zScore = deficitDb / Math.sqrt(p.siteSdDb ** 2 + p.withinSdDb ** 2 / sums.n);
  const impliedGainDdbi = Math.round(assertedGainDdbi - 10 * deficitDb);
  const reasons: GainReason[] = [];
  if (zScore > p.zThreshold) reasons.push({ kind: 'gain_unsupported', links: sums.n, deficitDb, zScore, assertedGainDdbi, impliedGainDdbi });
  return { flagged: reasons.length > 0, reasons, links: sums.n, deficitDb, zScore, impliedGainDdbi };
}
