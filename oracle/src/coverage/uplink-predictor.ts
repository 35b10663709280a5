/**
 * What estimated coverage needs from a propagation model: the median signal a hotspot receives from a device at a
 * distance and the probability an uplink gets through. Estimated coverage (estimate.ts) and the carriers' answers
 * (mapper) only talk to this interface; radio-predictor.ts puts @poc/radio's fitted model behind it.
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
  /**
   * Share of time the hotspot is up and forwarding, 0..1 (availability.ts); its link counts a·p. Absent: always up
   * (the radio-only estimate).
   */
  availability?: number;
}

/** Reused output record: 100,000 hotspots × thousands of cells must not allocate per prediction. */
export interface UplinkPrediction {
  rssiDbm: number;
  snrDb: number;
  probability: number;
  /** Mean margin of the signal over the demodulation floor and its spread (probability = Φ(margin / sd)), dB. */
  marginDb: number;
  shadowingSdDb: number;
}

export interface UplinkPredictor {
  /** Names the model and its global parameters: a change re-estimates every hotspot. */
  readonly version: string;
  /** Distance beyond which `device`'s uplink reaches the hotspot with probability < `minProbability`. */
  rangeM(hotspot: EstimatingHotspot, device: DeviceProfile, minProbability: number): number;
  /** Predicted signal at the hotspot and the probability one uplink of `device` at `distanceM` is received. */
  predict(hotspot: EstimatingHotspot, distanceM: number, device: DeviceProfile, out: UplinkPrediction): UplinkPrediction;
}

/** Slowest uplink spreading factor per region at 125 kHz (US915/AU915 uplinks stop at SF10, DR0). */
export function slowestUplinkSf(region: string | null): number {
  return region === 'US915' || region === 'AU915' ? 10 : 12;
}

export function spreadingFactorFor(device: DeviceProfile, region: string | null): number {
  return device.spreadingFactor === 'any' ? slowestUplinkSf(region) : device.spreadingFactor;
}
