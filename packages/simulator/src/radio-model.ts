import {
  channelRssiDbm,
  demodulationFloorDb,
  freeSpacePathLossDb,
  meanPathLossDb as fittedPathLossDb,
  OUTDOOR_LINK_PRIOR,
  type PropagationModel,
} from '@poc/radio';

/**
 * Radio propagation for the simulated fleet, calibrated on real receptions: @poc/radio's outdoor-link fit
 * (packages/radio/README.md §Model — close-in log-distance, n 2.98, σ 12.0 dB, channel noise −115 dBm).
 *
 *   S = P_tx + G_tx + G_rx − PL(d, f) + X_site(tx) + X_site(rx) + X_link + X_packet
 *
 * The fitted spread σ is split into what stays and what changes: each hotspot's site (height, clutter, antenna
 * install; 6 dB each end), each pair's path (same both ways, every packet) and each packet (4.5 dB: the spread of
 * one fixed link in the data), so that √(2·site² + link² + packet²) = σ.
 * Receiver: channel RSSI = S ⊕ noise (floors at the noise), SNR = S − noise saturating at 10 dB, demodulated when
 * SNR clears the spreading factor's floor. Some packets arrive with interference raising the noise.
 */
export interface RadioModelParams {
  propagation: PropagationModel;
  siteSdDb: number;
  linkShadowingSdDb: number;
  fadingSdDb: number;
  /** Share of packets that meet co-channel interference, and how much it raises the noise at most (uniform), dB. */
  interferenceProbability: number;
  interferenceMaxDb: number;
}

const SITE_SD_DB = 6;
const FADING_SD_DB = 4.5;

export const DEFAULT_RADIO_MODEL: RadioModelParams = {
  propagation: OUTDOOR_LINK_PRIOR,
  siteSdDb: SITE_SD_DB,
  linkShadowingSdDb: Math.sqrt(OUTDOOR_LINK_PRIOR.shadowingSdDb ** 2 - 2 * SITE_SD_DB ** 2 - FADING_SD_DB ** 2),
  fadingSdDb: FADING_SD_DB,
  interferenceProbability: 0.05,
  interferenceMaxDb: 12,
};

export { freeSpacePathLossDb };

/** Mean path loss (no shadowing) at `distanceM`. */
export function meanPathLossDb(distanceM: number, frequencyHz: number, params: RadioModelParams = DEFAULT_RADIO_MODEL): number {
  return fittedPathLossDb(params.propagation, distanceM, frequencyHz);
}

export function noiseFloorDbm(bandwidthKhz: number, params: RadioModelParams = DEFAULT_RADIO_MODEL): number {
  return params.propagation.noiseFloorDbm + 10 * Math.log10(bandwidthKhz / 125);
}

/** Weakest signal a spreading factor demodulates without interference (noise + SNR floor), dBm. */
export function sensitivityDbm(spreadingFactor: number, bandwidthKhz: number, params: RadioModelParams = DEFAULT_RADIO_MODEL): number {
  return noiseFloorDbm(bandwidthKhz, params) + demodulationFloorDb(spreadingFactor);
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
  /** Standard-normal draws fixed per hotspot: the transmitter's and the receiver's site (0 when not modelled). */
  txSite?: number;
  rxSite?: number;
  /** Uniform draw in [0, 1) for interference on this packet (none when absent). */
  interference?: number;
  /** Floor on the path loss with shadowing, dB (e.g. free space: no path is better than that). */
  minPathLossDb?: number;
}

export interface LinkResult {
  received: boolean;
  /** Signal power at the receiver, dBm (what SX1302 reports as rssis). */
  signalDbm: number;
  /** Channel RSSI: signal plus noise, floors at the noise (what SX1301 reports as rssi). */
  rssiDbm: number;
  snrDb: number;
  pathLossDb: number;
}

export function simulateLink(input: LinkInput, params: RadioModelParams = DEFAULT_RADIO_MODEL): LinkResult {
  const pathLossDb = Math.max(
    input.minPathLossDb ?? -Infinity,
    meanPathLossDb(input.distanceM, input.frequencyHz, params) +
      params.linkShadowingSdDb * input.linkShadow +
      params.fadingSdDb * input.packetFading -
      params.siteSdDb * ((input.txSite ?? 0) + (input.rxSite ?? 0)),
  );
  const signalDbm = input.txPowerDbm + input.txGainDdbi / 10 + input.rxGainDdbi / 10 - pathLossDb;
  const interference = input.interference ?? 1;
  const raisedDb =
    interference < params.interferenceProbability ? (interference / params.interferenceProbability) * params.interferenceMaxDb : 0;
  const noiseDbm = noiseFloorDbm(input.bandwidthKhz, params) + raisedDb;
  const snrDb = signalDbm - noiseDbm;
  return {
    received: snrDb >= demodulationFloorDb(input.spreadingFactor),
    signalDbm,
    rssiDbm: channelRssiDbm(signalDbm, noiseDbm),
    snrDb: Math.min(snrDb, params.propagation.snrCeilingDb),
    pathLossDb,
  };
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
