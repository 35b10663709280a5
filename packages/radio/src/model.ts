import { channelRssiDbm, demodulationFloorDb, freeSpacePathLossDb, normalCdf, normalQuantile } from './link-budget';

/**
 * Empirical log-distance model with log-normal shadowing (README.md §Model):
 *
 *   PL(d, f) = max( FSPL(d, f),  PL₁ₖₘ + 10·n·log10(d / 1 km) + k_f·log10(f / f_ref) )
 *   S        = P_tx + G_tx + G_rx − PL(d, f) + X,   X ~ N(0, σ)
 *
 * S is the signal power at the receiver. Forwarders report channel RSSI = S ⊕ N (power sum with the channel
 * noise N, so it floors near N) and SNR = S − N, saturating at `snrCeilingDb`.
 */
export interface PropagationModel {
  /** Mean path loss at 1 km and the reference frequency, dB, antenna gains excluded. */
  pathLossAt1kmDb: number;
  /** Path-loss exponent n (10·n dB per decade of distance). */
  exponent: number;
  /** Spread of the signal around the mean (link shadowing and fading together), dB. */
  shadowingSdDb: number;
  /** Frequency term k_f, dB per decade of frequency. */
  frequencyDbPerDecade: number;
  referenceFrequencyHz: number;
  /** Channel noise: the level channel RSSI floors at, and SNR's zero, dBm. */
  noiseFloorDbm: number;
  /** Reported SNR does not rise above this (the demodulator's estimate saturates), dB. */
  snrCeilingDb: number;
  /** Shortest distance the fit is extrapolated to; below it the free-space bound holds alone, m. */
  minDistanceM: number;
}

/** One link: distance, frequency and the two ends' conducted power and antenna gains (project units: dBm×10, dBi×10). */
export interface RadioLink {
  distanceM: number;
  frequencyHz: number;
  txPowerDdbm: number;
  txGainDdbi: number;
  rxGainDdbi: number;
}

export interface Quantiles {
  p10: number;
  median: number;
  p90: number;
}

export interface LinkPrediction {
  meanSignalDbm: number;
  signalSdDb: number;
  /** Reported channel RSSI, dBm. */
  rssiDbm: Quantiles;
  /** Reported SNR, dB. */
  snrDb: Quantiles;
}

const Z90 = normalQuantile(0.9);

export function meanPathLossDb(model: PropagationModel, distanceM: number, frequencyHz: number): number {
  const d = Math.max(distanceM, model.minDistanceM);
  const empirical =
    model.pathLossAt1kmDb + 10 * model.exponent * Math.log10(d / 1000) + model.frequencyDbPerDecade * Math.log10(frequencyHz / model.referenceFrequencyHz);
  return Math.max(freeSpacePathLossDb(distanceM, frequencyHz), empirical);
}

export function meanSignalDbm(model: PropagationModel, link: RadioLink): number {
  return (link.txPowerDdbm + link.txGainDdbi + link.rxGainDdbi) / 10 - meanPathLossDb(model, link.distanceM, link.frequencyHz);
}

export function reportedRssiDbm(model: PropagationModel, signalDbm: number): number {
  return channelRssiDbm(signalDbm, model.noiseFloorDbm);
}

export function reportedSnrDb(model: PropagationModel, signalDbm: number): number {
  return Math.min(signalDbm - model.noiseFloorDbm, model.snrCeilingDb);
}

/** Distribution of what a forwarder would report for this link (both reported values are monotone in S). */
export function predictLink(model: PropagationModel, link: RadioLink): LinkPrediction {
  const mean = meanSignalDbm(model, link);
  const sd = model.shadowingSdDb;
  const at = (z: number) => mean + z * sd;
  const quantiles = (f: (s: number) => number): Quantiles => ({ p10: f(at(-Z90)), median: f(mean), p90: f(at(Z90)) });
  return {
    meanSignalDbm: mean,
    signalSdDb: sd,
    rssiDbm: quantiles((s) => reportedRssiDbm(model, s)),
    snrDb: quantiles((s) => reportedSnrDb(model, s)),
  };
}

/** Mean margin of an uplink's signal over the demodulation floor (noise + the spreading factor's SNR floor), dB. */
export function uplinkMarginDb(model: PropagationModel, link: RadioLink, spreadingFactor: number): number {
  return meanSignalDbm(model, link) - model.noiseFloorDbm - demodulationFloorDb(spreadingFactor);
}

/** Probability that one hotspot demodulates an uplink on this link at this spreading factor. */
export function uplinkSuccessProbability(model: PropagationModel, link: RadioLink, spreadingFactor: number): number {
  return normalCdf(uplinkMarginDb(model, link, spreadingFactor) / model.shadowingSdDb);
}

/** How far an observed signal sits above the model's mean, in shadowing standard deviations. */
export function signalZScore(model: PropagationModel, link: RadioLink, observedSignalDbm: number): number {
  return (observedSignalDbm - meanSignalDbm(model, link)) / model.shadowingSdDb;
}
