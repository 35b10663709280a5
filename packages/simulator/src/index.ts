export { planFleet, hotspotName, FORWARDER_DIALECTS, type CheatKind, type FleetHotspot, type ForwarderDialect, type PlanFleetOptions } from './plan';
export { CONCENTRATOR_MAX_TX_POWER_DBM, clipTxPower, rxpkInDialect, udpForwarderDialectOptions, type Reception, type StationHardware } from './dialects';
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
