import { freeSpacePathLossDb } from './link-budget';
import type { PropagationModel } from './model';

/** A measured reception: where the path loss is known up to the model's terms. */
export interface PathLossSample {
  distanceM: number;
  frequencyHz: number;
  /** Transmitter conducted power plus both antenna gains, dB(m). */
  linkBudgetDbm: number;
  /** Signal power at the receiver (expectedSignalPowerDbm of what the forwarder reported), dBm. */
  signalDbm: number;
}

/** Regression coordinates: x = log10(d / 1 km), y = path loss with the frequency term removed. */
function coordinates(model: Pick<PropagationModel, 'frequencyDbPerDecade' | 'referenceFrequencyHz'>, sample: PathLossSample): [number, number] {
  const x = Math.log10(sample.distanceM / 1000);
  const y = sample.linkBudgetDbm - sample.signalDbm - model.frequencyDbPerDecade * Math.log10(sample.frequencyHz / model.referenceFrequencyHz);
  return [x, y];
}

/** Sufficient statistics of a straight-line fit; additive, so a fit can be updated one sample at a time and stored. */
export interface FitSums {
  n: number;
  sx: number;
  sxx: number;
  sy: number;
  sxy: number;
  syy: number;
}

export const EMPTY_SUMS: FitSums = { n: 0, sx: 0, sxx: 0, sy: 0, sxy: 0, syy: 0 };

export function addSample(sums: FitSums, x: number, y: number): FitSums {
  return { n: sums.n + 1, sx: sums.sx + x, sxx: sums.sxx + x * x, sy: sums.sy + y, sxy: sums.sxy + x * y, syy: sums.syy + y * y };
}

export interface FitQuality {
  n: number;
  pathLossAt1kmDb: number;
  exponent: number;
  residualSdDb: number;
}

/**
 * Close-in reference model (README.md §Model): PL = FSPL(1 m, f) + 10·n·log10(d / 1 m) + X. One free parameter,
 * n, by least squares; anchoring the curve to free space keeps the fit from flattening on data that only holds
 * receptions (far away only the links that happened to be strong were received at all).
 */
export function fitCloseIn(base: PropagationModel, samples: readonly PathLossSample[]): FitQuality & { model: PropagationModel } {
  let sxx = 0;
  let sxy = 0;
  const excess: Array<[number, number]> = [];
  for (const sample of samples) {
    if (sample.distanceM < base.minDistanceM || !Number.isFinite(sample.signalDbm)) continue;
    const x = 10 * Math.log10(sample.distanceM);
    const y = sample.linkBudgetDbm - sample.signalDbm - freeSpacePathLossDb(1, sample.frequencyHz);
    sxx += x * x;
    sxy += x * y;
    excess.push([x, y]);
  }
  if (excess.length < 3) throw new RangeError(`a close-in fit needs at least 3 samples beyond ${base.minDistanceM} m, got ${excess.length}`);
  const exponent = sxy / sxx;
  const sse = excess.reduce((sum, [x, y]) => sum + (y - exponent * x) ** 2, 0);
  const residualSdDb = Math.sqrt(sse / (excess.length - 1));
  const pathLossAt1kmDb = freeSpacePathLossDb(1, base.referenceFrequencyHz) + 30 * exponent;
  return {
    n: excess.length,
    pathLossAt1kmDb,
    exponent,
    residualSdDb,
    model: { ...base, pathLossAt1kmDb, exponent, shadowingSdDb: residualSdDb, frequencyDbPerDecade: 20 },
  };
}

/** Ordinary least squares of path loss on log-distance, intercept free (reported beside the close-in fit). */
export function fitLogDistance(base: PropagationModel, samples: readonly PathLossSample[]): FitQuality {
  let sums = EMPTY_SUMS;
  for (const sample of samples) {
    if (sample.distanceM < base.minDistanceM) continue;
    const [x, y] = coordinates(base, sample);
    sums = addSample(sums, x, y);
  }
  if (sums.n < 3) throw new RangeError(`a log-distance fit needs at least 3 samples beyond ${base.minDistanceM} m, got ${sums.n}`);
  const det = sums.n * sums.sxx - sums.sx * sums.sx;
  if (det <= 0) throw new RangeError('a log-distance fit needs samples at more than one distance');
  const slope = (sums.n * sums.sxy - sums.sx * sums.sy) / det;
  const intercept = (sums.sy - slope * sums.sx) / sums.n;
  const sse = sums.syy - intercept * sums.sy - slope * sums.sxy;
  return { n: sums.n, pathLossAt1kmDb: intercept, exponent: slope / 10, residualSdDb: Math.sqrt(Math.max(0, sse) / (sums.n - 2)) };
}

/** How strongly the regional prior holds a hotspot's own fit (README.md §Per-hotspot fit). */
export interface PriorStrength {
  /** Prior sd of a hotspot's path loss at 1 km around the regional value (site height, antenna, clutter), dB. */
  pathLossSdDb: number;
  /** Prior sd of a hotspot's exponent around the regional value. */
  exponentSd: number;
  /** Weight of the prior on the residual spread, in pseudo-samples. */
  spreadPseudoSamples: number;
}

export const DEFAULT_PRIOR_STRENGTH: PriorStrength = { pathLossSdDb: 8, exponentSd: 0.8, spreadPseudoSamples: 6 };

export interface HotspotFitResult extends FitQuality {
  /** Posterior sd of the path loss at 1 km and of the exponent. */
  pathLossSdDb: number;
  exponentSd: number;
  /** The hotspot's own model: the regional one with its fitted terms. */
  model: PropagationModel;
}

/**
 * Bayesian linear regression with a normal–inverse-gamma prior centred on the regional model. The state is the
 * additive FitSums of the hotspot's own samples, so updates are O(1) and the state is six numbers to store.
 */
export class HotspotFit {
  constructor(
    readonly regional: PropagationModel,
    readonly sums: FitSums = EMPTY_SUMS,
    readonly prior: PriorStrength = DEFAULT_PRIOR_STRENGTH,
  ) {}

  add(sample: PathLossSample): HotspotFit {
    if (!(sample.distanceM >= this.regional.minDistanceM) || !Number.isFinite(sample.signalDbm)) return this;
    const [x, y] = coordinates(this.regional, sample);
    return new HotspotFit(this.regional, addSample(this.sums, x, y), this.prior);
  }

  result(): HotspotFitResult {
    const { sums, regional, prior } = this;
    const sigma0 = regional.shadowingSdDb;
    // Prior precision in units of 1/σ² (β | σ² ~ N(μ0, σ²·Λ0⁻¹)).
    const l00 = (sigma0 / prior.pathLossSdDb) ** 2;
    const l11 = (sigma0 / (10 * prior.exponentSd)) ** 2;
    const m0 = regional.pathLossAt1kmDb;
    const m1 = 10 * regional.exponent;
    const a00 = l00 + sums.n;
    const a01 = sums.sx;
    const a11 = l11 + sums.sxx;
    const b0 = l00 * m0 + sums.sy;
    const b1 = l11 * m1 + sums.sxy;
    const det = a00 * a11 - a01 * a01;
    const mu0 = (a11 * b0 - a01 * b1) / det;
    const mu1 = (a00 * b1 - a01 * b0) / det;
    const a0 = prior.spreadPseudoSamples / 2;
    const bPrior = a0 * sigma0 * sigma0;
    const quad = sums.syy + l00 * m0 * m0 + l11 * m1 * m1 - (mu0 * b0 + mu1 * b1);
    const an = a0 + sums.n / 2;
    const bn = bPrior + Math.max(0, quad) / 2;
    const variance = bn / an;
    const residualSse = sums.syy - 2 * (mu0 * sums.sy + mu1 * sums.sxy) + mu0 * mu0 * sums.n + 2 * mu0 * mu1 * sums.sx + mu1 * mu1 * sums.sxx;
    return {
      n: sums.n,
      pathLossAt1kmDb: mu0,
      exponent: mu1 / 10,
      residualSdDb: sums.n > 2 ? Math.sqrt(Math.max(0, residualSse) / (sums.n - 2)) : Number.NaN,
      pathLossSdDb: Math.sqrt((variance * a11) / det),
      exponentSd: Math.sqrt((variance * a00) / det) / 10,
      model: { ...regional, pathLossAt1kmDb: mu0, exponent: mu1 / 10, shadowingSdDb: Math.sqrt(variance) },
    };
  }
}
