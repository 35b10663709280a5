export { planFleet, hotspotName, type CheatKind, type FleetHotspot, type PlanFleetOptions } from './plan';
export { startFleet, type Fleet, type FleetLink, type FleetStats, type StartFleetOptions } from './fleet';
export { RadioMedium, type RadioMediumOptions, type RadioMediumStats } from './medium';
export {
  DEFAULT_RADIO_MODEL,
  freeSpacePathLossDb,
  haversineM,
  meanPathLossDb,
  noiseFloorDbm,
  oracleMaxRssiDbm,
  sensitivityDbm,
  simulateLink,
  type LinkInput,
  type LinkResult,
  type RadioModelParams,
} from './radio-model';
export { SeededRandom, hashedGaussian } from './rng';
