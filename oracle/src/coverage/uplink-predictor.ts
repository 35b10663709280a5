/**
 * What estimated coverage needs from a propagation model: the median signal a hotspot receives from a device at a
 * distance, its scatter, and the device's receiver limits. Estimated coverage (estimate.ts) and the carriers' answers
 * (mapper) only talk to this interface; the model behind it is @poc/radio's once that package exports one.
 */

/** A device asking for coverage. dBm×10 / dBi×10 like everywhere in the network. */
export interface DeviceProfile {
  txPowerDdbm: number;
  gainDdbi: number;
  /** Spreading factor, or 'any': the most robust one the hotspot's region allows for uplinks. */
  spreadingFactor: number | 'any';
  indoor: boolean;
}

/**
 * The reference device estimated coverage is stored for (mapper/README.md, "Estimated coverage"): a typical
 * outdoor sensor, 14 dBm, 0 dBi antenna, free to use any spreading factor.
 */
export const REFERENCE_DEVICE: DeviceProfile = { txPowerDdbm: 140, gainDdbi: 0, spreadingFactor: 'any', indoor: false };

/** Extra loss of a device inside a building (dB), documented in mapper/README.md. */
export const INDOOR_PENETRATION_LOSS_DB = 12;

/** A located hotspot as the model sees it. */
export interface EstimatingHotspot {
  address: string;
  lat: number;
  lng: number;
  gainDdbi: number;
  region: string | null;
  /** The model's own per-hotspot parameters (fitted from its links), opaque here; a change re-estimates the hotspot. */
  paramsKey: string;
}

/** Reused output record: 100,000 hotspots × thousands of cells must not allocate per prediction. */
export interface UplinkPrediction {
  rssiDbm: number;
  snrDb: number;
  probability: number;
}

export interface UplinkPredictor {
  /** Names the model and its global parameters: a change re-estimates every hotspot. */
  readonly version: string;
  /** Distance beyond which `device`'s uplink reaches the hotspot with probability < `minProbability`. */
  rangeM(hotspot: EstimatingHotspot, device: DeviceProfile, minProbability: number): number;
  /** Predicted signal at the hotspot and the probability one uplink of `device` at `distanceM` is received. */
  predict(hotspot: EstimatingHotspot, distanceM: number, device: DeviceProfile, out: UplinkPrediction): UplinkPrediction;
}

/** Receiver limits of an SX130x gateway at 125 kHz: lowest SNR each spreading factor demodulates (dB). */
export const DEMOD_SNR_LIMIT_DB: Readonly<Record<number, number>> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

/** Slowest uplink spreading factor per region at 125 kHz (US915/AU915 uplinks stop at SF10, DR0). */
export function slowestUplinkSf(region: string | null): number {
  return region === 'US915' || region === 'AU915' ? 10 : 12;
}

export function spreadingFactorFor(device: DeviceProfile, region: string | null): number {
  return device.spreadingFactor === 'any' ? slowestUplinkSf(region) : device.spreadingFactor;
}

/** Device EIRP in dBm, less the indoor penetration loss when inside. */
export function deviceEirpDbm(device: DeviceProfile): number {
  return device.txPowerDdbm / 10 + device.gainDdbi / 10 - (device.indoor ? INDOOR_PENETRATION_LOSS_DB : 0);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse of normalCdf by bisection (only used to size ranges, never per cell). */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
