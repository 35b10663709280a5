/** Receiver-side physics shared by the model, the simulator and the oracle: noise, channel RSSI, demodulation floors. */

const SPEED_OF_LIGHT_M_S = 2.998e8;

/** Free-space path loss in dB, the oracle's ceiling (oracle/README.md §Verification, bad_rssi). */
export function freeSpacePathLossDb(distanceM: number, frequencyHz: number): number {
  return 20 * Math.log10((4 * Math.PI * Math.max(distanceM, 1) * frequencyHz) / SPEED_OF_LIGHT_M_S);
}

/** Thermal noise in the channel: −174 dBm/Hz + 10·log10(BW) + receiver noise figure. */
export function thermalNoiseDbm(bandwidthHz: number, noiseFigureDb: number): number {
  return -174 + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** Channel RSSI as an SX1301-class concentrator reports it: signal plus noise in the channel, so it floors at the noise. */
export function channelRssiDbm(signalDbm: number, noiseDbm: number): number {
  return 10 * Math.log10(10 ** (signalDbm / 10) + 10 ** (noiseDbm / 10));
}

/** Expected signal power (Semtech AN1200.22): the signal under the noise recovered from channel RSSI and SNR. */
export function expectedSignalPowerDbm(rssiDbm: number, snrDb: number): number {
  return rssiDbm + snrDb - 10 * Math.log10(1 + 10 ** (snrDb / 10));
}

/** Lowest SNR each LoRa spreading factor demodulates at (SX1276/SX1302 datasheets, dB). */
export const DEMOD_SNR_FLOOR_DB: Readonly<Record<number, number>> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export function demodulationFloorDb(spreadingFactor: number): number {
  const floor = DEMOD_SNR_FLOOR_DB[spreadingFactor];
  if (floor === undefined) throw new RangeError(`spreading factor ${spreadingFactor} is not LoRa SF7..SF12`);
  return floor;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability ${p} is not in (0, 1)`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Signal power from what a forwarder reported. Below 0 dB SNR the SNR is the reliable part (channel RSSI floors at
 * the noise on SX1301, while SX1302 dialects report signal RSSI), so S = noise + SNR; above it channel RSSI carries
 * the signal and the expected-signal-power formula removes the noise share.
 */
export function measuredSignalDbm(rssiDbm: number, snrDb: number, noiseFloorDbm: number): number {
  return snrDb <= 0 ? noiseFloorDbm + snrDb : expectedSignalPowerDbm(rssiDbm, snrDb);
}
