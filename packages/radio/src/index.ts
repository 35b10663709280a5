export {
  DEMOD_SNR_FLOOR_DB,
  channelRssiDbm,
  demodulationFloorDb,
  expectedSignalPowerDbm,
  freeSpacePathLossDb,
  measuredSignalDbm,
  normalCdf,
  normalQuantile,
  thermalNoiseDbm,
} from './link-budget';
export {
  meanPathLossDb,
  meanSignalDbm,
  predictLink,
  reportedRssiDbm,
  reportedSnrDb,
  signalZScore,
  uplinkMarginDb,
  uplinkSuccessProbability,
  type LinkPrediction,
  type PropagationModel,
  type Quantiles,
  type RadioLink,
} from './model';
export {
  DEFAULT_PRIOR_STRENGTH,
  EMPTY_SUMS,
  HotspotFit,
  addSample,
  fitCloseIn,
  fitLogDistance,
  type FitQuality,
  type FitSums,
  type HotspotFitResult,
  type PathLossSample,
  type PriorStrength,
} from './fit';
export { OUTDOOR_LINK_PRIOR, OUTDOOR_LINK_PRIOR_FIT, REGIONAL_PRIOR, REGIONAL_PRIOR_FIT } from './regional';
export {
  DEFAULT_LOCATION_CHECK,
  checkLocation,
  siteAwareModel,
  type HeardTransmitter,
  type LocationCheckParams,
  type LocationReason,
  type LocationVerdict,
  type SiteHistory,
} from './location-check';
export {
  DEFAULT_SITE_SPLIT,
  estimateSiteSplit,
  residualGroup,
  residualGroupOfSums,
  splitOfModel,
  type ResidualGroup,
  type SiteSplit,
  type SiteSplitParams,
} from './site-split';
export { DEFAULT_GAIN_CHECK, checkAntennaGain, type GainCheckParams, type GainReason, type GainVerdict } from './gain-check';
export { AVAILABILITY_PRIOR, AVAILABILITY_PRIOR_HOURS, estimateAvailability } from './availability';
export {
  COMMON_SHADOWING_NODES,
  DEVICE_SITE_SD_DB,
  anyFromLogMiss,
  availabilityOf,
  combineWithCommonShadowing,
  conditionalLogMiss,
  normalQuadrature,
  type HotspotMargin,
  type Quadrature,
} from './common-shadowing';
export {
  DEFAULT_BIN_EDGES,
  anyHearerTrials,
  brierScores,
  fitMarginCorrection,
  fixtureAvailability,
  linkTrials,
  logLikelihood,
  reliabilityTable,
  type AvailabilitySource,
  type CountedTrials,
  type MarginCorrection,
  type ReliabilityBin,
  type TrialOptions,
} from './calibration';
