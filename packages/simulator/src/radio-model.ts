/**
 * Radio propagation for the simulated fleet: log-distance path loss with log-normal shadowing.
 *
 *   PL(d) = FSPL(d0, f) + 10·n·log10(d / d0) + X_link + X_packet      (d ≥ d0; free space below d0)
 *
 * FSPL(d0, f) = 20·log10(4π·d0·f / c) anchors the curve to free space at d0, so the mean received power is
 * always below the oracle's free-space ceiling; only a strong negative shadowing draw on a short link lifts
 * it above (a natural, small share of BadRssi). X_link ~ N(0, σ_shadow) is fixed per hotspot pair (terrain,
 * buildings: the same every time), X_packet ~ N(0, σ_fading) changes per packet.
 * Defaults (n = 2.9, d0 = 100 m, σ = 6 dB) are typical suburban 868/915 MHz values (Rappaport, Table 4.2;
 * LoRa measurement studies report n ≈ 2.3–3.5 and σ ≈ 4–8 dB).
 * Receiver: SX1276/SX1302 sensitivity per spreading factor at 125 kHz, thermal noise floor
 * −174 dBm/Hz + 10·log10(BW) + NF for the SNR.
 */
export interface RadioModelParams {
  pathLossExponent: number;
  referenceDistanceM: number;
  shadowingSigmaDb: number;
  fadingSigmaDb: number;
  noiseFigureDb: number;
}

export const DEFAULT_RADIO_MODEL: RadioModelParams = {
  pathLossExponent: 2.9,
  referenceDistanceM: 100,
  shadowingSigmaDb: 6,
  fadingSigmaDb: 1.5,
  noiseFigureDb: 6,
};

const SPEED_OF_LIGHT = 2.998e8;

/** Free-space path loss in dB (the formula the oracle's RSSI check uses). */
export function freeSpacePathLossDb(distanceM: number, frequencyHz: number): number {
  return 20 * Math.log10((4 * Math.PI * distanceM * frequencyHz) / SPEED_OF_LIGHT);
}

/** Mean path loss (no shadowing) at `distanceM`. */
export function meanPathLossDb(distanceM: number, frequencyHz: number, params: RadioModelParams = DEFAULT_RADIO_MODEL): number {
  const d = Math.max(distanceM, 1);
  if (d <= params.referenceDistanceM) return freeSpacePathLossDb(d, frequencyHz);
  return freeSpacePathLossDb(params.referenceDistanceM, frequencyHz) + 10 * params.pathLossExponent * Math.log10(d / params.referenceDistanceM);
}

/** SX1276 datasheet sensitivity at 125 kHz (dBm), 3 dB better per halving of bandwidth. */
const SENSITIVITY_125KHZ: Record<number, number> = { 7: -123, 8: -126, 9: -129, 10: -132, 11: -134.5, 12: -137 };
/** Lowest SNR each spreading factor demodulates (dB). */
const DEMOD_SNR_FLOOR: Record<number, number> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export function sensitivityDbm(spreadingFactor: number, bandwidthKhz: number): number {
  const base = SENSITIVITY_125KHZ[spreadingFactor] ?? -123;
  return base + 10 * Math.log10(bandwidthKhz / 125);
}

export function noiseFloorDbm(bandwidthKhz: number, params: RadioModelParams = DEFAULT_RADIO_MODEL): number {
  return -174 + 10 * Math.log10(bandwidthKhz * 1000) + params.noiseFigureDb;
}

export interface LinkInput {
  distanceM: number;
  frequencyHz: number;
  txPowerDbm: number;
  txGainDdbi: number;
  rxGainDdbi: number;
  spreadingFactor: number;
  bandwidthKhz: number;
  /** Standard-normal draws: per link (fixed) and per packet. */
  linkShadow: number;
  packetFading: number;
}

export interface LinkResult {
  received: boolean;
  rssiDbm: number;
  snrDb: number;
  pathLossDb: number;
}

export function simulateLink(input: LinkInput, params: RadioModelParams = DEFAULT_RADIO_MODEL): LinkResult {
  const pathLossDb =
    meanPathLossDb(input.distanceM, input.frequencyHz, params) +
    params.shadowingSigmaDb * input.linkShadow +
    params.fadingSigmaDb * input.packetFading;
  const rssiDbm = input.txPowerDbm + input.txGainDdbi / 10 + input.rxGainDdbi / 10 - pathLossDb;
  const snrDb = Math.min(rssiDbm - noiseFloorDbm(input.bandwidthKhz, params), 13);
  const received = rssiDbm >= sensitivityDbm(input.spreadingFactor, input.bandwidthKhz) && snrDb >= (DEMOD_SNR_FLOOR[input.spreadingFactor] ?? -7.5);
  return { received, rssiDbm, snrDb, pathLossDb };
}

/** The oracle's ceiling (oracle/README.md §Verification, bad_rssi): tx + ⌊gb/10⌋ + ⌊gw/10⌋ − FSPL(d, f_witness). */
export function oracleMaxRssiDbm(txPowerDbm: number, txGainDdbi: number, rxGainDdbi: number, distanceM: number, frequencyHz: number): number {
  return txPowerDbm + Math.trunc(txGainDdbi / 10) + Math.trunc(rxGainDdbi / 10) - freeSpacePathLossDb(distanceM, frequencyHz);
}

/** Great-circle distance in metres (R as h3o's distance_m). */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const R = 6_371_007.180918475;
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLng = (lng2 - lng1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}
