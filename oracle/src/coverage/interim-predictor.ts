import {
  deviceEirpDbm,
  DEMOD_SNR_LIMIT_DB,
  normalCdf,
  normalQuantile,
  spreadingFactorFor,
  type DeviceProfile,
  type EstimatingHotspot,
  type UplinkPrediction,
  type UplinkPredictor,
} from './uplink-predictor';

/**
 * Stand-in until @poc/radio exports the fitted model: one log-distance curve for every hotspot with the figures issue
 * 13 gives for about 24,000 real receptions — exponent 4.3, links a median 34 dB under free space at 1 km, 20 dB
 * scatter — and the SX130x noise floor (−174 dBm/Hz + 10·log10(125 kHz) + 6 dB noise figure).
 */
const EXPONENT = 4.3;
const LOSS_AT_1KM_DB = 91.2 + 34;
const SHADOWING_DB = 20;
const NOISE_FLOOR_DBM = -174 + 10 * Math.log10(125_000) + 6;
const MAX_RANGE_M = 20_000;

const quantiles = new Map<number, number>();
const quantileOf = (p: number) => quantiles.get(p) ?? (quantiles.size < 64 ? quantiles.set(p, normalQuantile(p)).get(p)! : normalQuantile(p));

export const interimPredictor: UplinkPredictor = {
  version: 'interim-log-distance-1',
  rangeM(hotspot: EstimatingHotspot, device: DeviceProfile, minProbability: number) {
    const budget = deviceEirpDbm(device) + hotspot.gainDdbi / 10 - (NOISE_FLOOR_DBM + DEMOD_SNR_LIMIT_DB[spreadingFactorFor(device, hotspot.region)]!);
    const lossAtMinProbability = budget - SHADOWING_DB * quantileOf(minProbability);
    return Math.min(MAX_RANGE_M, 1000 * 10 ** ((lossAtMinProbability - LOSS_AT_1KM_DB) / (10 * EXPONENT)));
  },
  predict(hotspot: EstimatingHotspot, distanceM: number, device: DeviceProfile, out: UplinkPrediction) {
    const loss = LOSS_AT_1KM_DB + 10 * EXPONENT * Math.log10(Math.max(distanceM, 50) / 1000);
    out.rssiDbm = deviceEirpDbm(device) + hotspot.gainDdbi / 10 - loss;
    out.snrDb = out.rssiDbm - NOISE_FLOOR_DBM;
    out.probability = normalCdf((out.snrDb - DEMOD_SNR_LIMIT_DB[spreadingFactorFor(device, hotspot.region)]!) / SHADOWING_DB);
    return out;
  },
};
