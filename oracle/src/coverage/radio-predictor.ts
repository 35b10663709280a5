import { isRegion, REGION_PARAMS } from '@poc/protocol';
import {
  demodulationFloorDb,
  meanSignalDbm,
  normalCdf,
  normalQuantile,
  REGIONAL_PRIOR,
  reportedRssiDbm,
  reportedSnrDb,
  uplinkMarginDb,
  type PropagationModel,
  type RadioLink,
} from '@poc/radio';
import { INDOOR_PENETRATION_LOSS_DB, spreadingFactorFor, type DeviceProfile, type EstimatingHotspot, type UplinkPrediction, type UplinkPredictor } from './uplink-predictor';

/** Nothing is estimated further than this from a hotspot, whatever the model's spread allows. */
const MAX_RANGE_M = 25_000;
const EU868_HZ = 868_000_000;

/** The uplink frequency a hotspot listens on: its region's first channel (868 MHz when the region is unknown). */
export function uplinkFrequencyHz(region: string | null): number {
  return region && isRegion(region) ? (REGION_PARAMS[region].channelFrequencies[0] ?? EU868_HZ) : EU868_HZ;
}

function linkOf(hotspot: EstimatingHotspot, distanceM: number, device: DeviceProfile): RadioLink {
  return {
    distanceM,
    frequencyHz: uplinkFrequencyHz(hotspot.region),
    txPowerDdbm: device.txPowerDdbm - (device.indoor ? INDOOR_PENETRATION_LOSS_DB * 10 : 0),
    txGainDdbi: device.gainDdbi,
    rxGainDdbi: hotspot.gainDdbi,
  };
}

/**
 * The predictor behind estimated coverage: @poc/radio's fitted propagation model (packages/radio/README.md §Model) —
 * the regional prior, or a hotspot's own fit when `modelFor` has one. Predicted RSSI/SNR are what a forwarder would
 * report at the median signal; the probability is @poc/radio's uplink success at the device's spreading factor,
 * with the margin and spread it comes from (estimate.ts combines hotspots with their common device-end term).
 */
export function radioPredictor(modelFor: (hotspot: EstimatingHotspot) => PropagationModel = () => REGIONAL_PRIOR, version = 'radio-regional-1'): UplinkPredictor {
  return {
    version,
    rangeM(hotspot, device, minProbability) {
      const model = modelFor(hotspot);
      const link = linkOf(hotspot, 1000, device);
      const frequency = model.frequencyDbPerDecade * Math.log10(link.frequencyHz / model.referenceFrequencyHz);
      const budget = (link.txPowerDdbm + link.txGainDdbi + link.rxGainDdbi) / 10 - model.noiseFloorDbm - demodulationFloorDb(spreadingFactorFor(device, hotspot.region));
      const maxLoss = budget - model.shadowingSdDb * normalQuantile(minProbability);
      return Math.min(MAX_RANGE_M, 1000 * 10 ** ((maxLoss - model.pathLossAt1kmDb - frequency) / (10 * model.exponent)));
    },
    predict(hotspot, distanceM, device, out: UplinkPrediction) {
      const model = modelFor(hotspot);
      const link = linkOf(hotspot, distanceM, device);
      const signal = meanSignalDbm(model, link);
      out.rssiDbm = reportedRssiDbm(model, signal);
      out.snrDb = reportedSnrDb(model, signal);
      out.marginDb = uplinkMarginDb(model, link, spreadingFactorFor(device, hotspot.region));
      out.shadowingSdDb = model.shadowingSdDb;
      out.probability = normalCdf(out.marginDb / model.shadowingSdDb);
      return out;
    },
  };
}
