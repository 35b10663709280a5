import { cellToLatLng, cellToParent, getResolution, greatCircleDistance, gridDistance, isValidCell, UNITS } from 'h3-js';
import { generateBeacon, REGION_PARAMS, type Region } from '@poc/protocol';
import {
  MAX_DISTANCE_KM,
  MAX_FREQUENCY_DIFF_HZ,
  MAX_WITNESS_LAG_AFTER_FIRST_MS,
  MAX_WITNESS_LAG_MS,
  MAX_WITNESS_LEAD_MS,
  MIN_CELL_DISTANCE_RES11,
  SPEED_OF_LIGHT_M_S,
} from './constants';
import type { InvalidReason } from './reasons';

/** Each check returns null when it passes, else the Helium reason. */
export type CheckResult = InvalidReason | null;

/** H3 cell as h3-js string; accepts Helium's u64 form too. */
export function toCell(location: string | bigint): string {
  return typeof location === 'bigint' ? location.toString(16) : location;
}

/** Whole-second inclusive window [start, end] (entropy timestamps are seconds; ms precision is ignored). */
export function verifyEntropyWindow(entropyStartS: number, entropyEndS: number, receivedMs: number): CheckResult {
  const receivedS = Math.floor(receivedMs / 1000);
  return receivedS >= entropyStartS && receivedS <= entropyEndS ? null : 'entropy_expired';
}

/** One beacon per bucket: floor(t / interval) from the Unix epoch must advance. */
export function verifyBeaconSchedule(lastBeaconMs: number | null, receivedMs: number, intervalS: number): CheckResult {
  if (lastBeaconMs === null) return null;
  const bucket = (ms: number) => Math.floor(ms / 1000 / intervalS);
  return bucket(receivedMs) <= bucket(lastBeaconMs) ? 'irregular_interval' : null;
}

export const verifyCapability = (isFullHotspot: boolean): CheckResult => (isFullHotspot ? null : 'invalid_capability');

export const verifySelfWitness = (beaconer: string, witness: string): CheckResult => (beaconer === witness ? 'self_witness' : null);

export function verifyWitnessLag(beaconRxMs: number, firstWitnessRxMs: number, witnessRxMs: number): CheckResult {
  const [first, maxLag] = beaconRxMs <= firstWitnessRxMs ? [beaconRxMs, MAX_WITNESS_LAG_MS] : [firstWitnessRxMs, MAX_WITNESS_LAG_AFTER_FIRST_MS];
  return witnessRxMs - first > maxLag ? 'too_late' : null;
}

/** Beyond Helium: a witness may not reach the oracle more than MAX_WITNESS_LEAD_MS before its beacon. */
export function verifyWitnessNotEarly(beaconRxMs: number, witnessRxMs: number): CheckResult {
  return beaconRxMs - witnessRxMs > MAX_WITNESS_LEAD_MS ? 'too_early' : null;
}

export function verifyWitnessData(beaconData: Uint8Array, witnessData: Uint8Array): CheckResult {
  return Buffer.from(beaconData).equals(Buffer.from(witnessData)) ? null : 'invalid_packet';
}

export function verifyWitnessFrequency(beaconHz: number, witnessHz: number): CheckResult {
  return Math.abs(beaconHz - witnessHz) > MAX_FREQUENCY_DIFF_HZ ? 'invalid_frequency' : null;
}

export const verifyWitnessRegion = (beaconRegion: string, witnessRegion: string): CheckResult =>
  beaconRegion === witnessRegion ? null : 'invalid_region';

/** Grid steps between the res-11 parents; null when H3 cannot tell (resolution < 11, pentagon distortion, bad cell). */
export function cellDistanceRes11(a: string, b: string): number | null {
  try {
    if (!isValidCell(a) || !isValidCell(b) || getResolution(a) < 11 || getResolution(b) < 11) return null;
    return gridDistance(cellToParent(a, 11), cellToParent(b, 11));
  } catch {
    return null;
  }
}

export function verifyWitnessCellDistance(beaconLoc: string, witnessLoc: string): CheckResult {
  const cells = cellDistanceRes11(beaconLoc, witnessLoc);
  return cells === null || cells < MIN_CELL_DISTANCE_RES11 ? 'below_min_distance' : null;
}

/** Metres between cell centres, rounded (h3o distance_m on the authalic sphere; h3-js uses the same radius). */
export function distanceMeters(a: string, b: string): number {
  return Math.round(greatCircleDistance(cellToLatLng(a), cellToLatLng(b), UNITS.m));
}

export function verifyWitnessDistance(beaconLoc: string, witnessLoc: string): CheckResult {
  return Math.floor(distanceMeters(beaconLoc, witnessLoc) / 1000) > MAX_DISTANCE_KM ? 'max_distance_exceeded' : null;
}

/** Strongest signal free space allows (dBm): tx power plus whole-dB antenna gains minus free-space path loss. */
export function calcExpectedRssi(txPowerDbm: number, witnessFreqHz: number, distanceM: number, beaconerGainDdbi: number, witnessGainDdbi: number): number {
  const fspl = 20 * Math.log10((4 * Math.PI * distanceM * witnessFreqHz) / SPEED_OF_LIGHT_M_S);
  return txPowerDbm + Math.trunc(beaconerGainDdbi / 10) + Math.trunc(witnessGainDdbi / 10) - fspl;
}

export function verifyWitnessRssi(
  signalDdbm: number,
  witnessFreqHz: number,
  txPowerDbm: number,
  beaconerGainDdbi: number,
  witnessGainDdbi: number,
  beaconLoc: string,
  witnessLoc: string,
): CheckResult {
  const max = calcExpectedRssi(txPowerDbm, witnessFreqHz, distanceMeters(beaconLoc, witnessLoc), beaconerGainDdbi, witnessGainDdbi);
  return signalDdbm / 10 > max ? 'bad_rssi' : null;
}

export interface BeaconPayloadClaim {
  region: string;
  remoteEntropy: Uint8Array;
  entropyTimestampS: number;
  localEntropy: Uint8Array;
  data: Uint8Array;
  frequency: number;
  datarate: string;
}

/** Regenerates the beacon from the cited entropy; data, frequency and datarate must match (tx_power is not compared, as in Helium). */
export function verifyBeaconPayload(claim: BeaconPayloadClaim): CheckResult {
  const params = REGION_PARAMS[claim.region as Region];
  if (!params || claim.localEntropy.length !== 4) return 'invalid_packet';
  try {
    const generated = generateBeacon(
      { remoteEntropy: claim.remoteEntropy, remoteEntropyTimestamp: BigInt(claim.entropyTimestampS), localEntropy: claim.localEntropy },
      params,
    );
    const same = Buffer.from(generated.data).equals(Buffer.from(claim.data));
    return same && generated.frequency === claim.frequency && generated.datarate === claim.datarate ? null : 'invalid_packet';
  } catch {
    return 'invalid_packet';
  }
}
