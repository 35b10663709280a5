export { planFleet, hotspotName, FORWARDER_DIALECTS, type CheatKind, type FleetHotspot, type ForwarderDialect, type PlanFleetOptions } from './plan';
export { CONCENTRATOR_MAX_TX_POWER_DBM, clipTxPower, rxpkInDialect, udpForwarderDialectOptions, type Reception, type StationHardware } from './dialects';
export { startFleet, type Fleet, type FleetLink, type FleetStats, type StartFleetOptions } from './fleet';
export { RadioMedium, type DeviceUplink, type RadioMediumOptions, type RadioMediumStats } from './medium';
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
export { DRIVING_SPEED_M_S, WALKING_SPEED_M_S, fleetTowns, planMapperRoutes, positionOnRoute, type MapperRoute, type MapperRouteKind } from './mapper-routes';
export { MAPPER_DATARATE, MAPPER_FRAME_INTERVAL_MS, runMappers, SimulatedMapper, type MapperLogUploadResult, type MapperRunner, type SentFrame, type SimulatedMapperOptions } from './simulated-mapper';
