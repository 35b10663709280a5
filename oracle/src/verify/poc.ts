import { MAX_WITNESSES_PER_POC, RECIPROCITY_WINDOW_MS, ENTROPY_LIFESPAN_S } from './constants';
import {
  calcExpectedRssi,
  distanceMeters,
  verifyBeaconPayload,
  verifyBeaconSchedule,
  verifyCapability,
  verifyEntropyWindow,
  verifySelfWitness,
  verifyWitnessCellDistance,
  verifyWitnessData,
  verifyWitnessDistance,
  verifyWitnessFrequency,
  verifyWitnessLag,
  verifyWitnessNotEarly,
  verifyWitnessRegion,
  type CheckResult,
} from './checks';
import type { InvalidReason, ParticipantSide } from './reasons';
import { beaconRewardUnit, witnessRewardUnit } from '../rewards/reward-units';

/** What the verifier knows about a hotspot (registry row + PoC timestamps). */
export interface Gateway {
  address: string;
  /** Asserted H3 cell (resolution ≥ 11), null when not asserted. */
  location: string | null;
  region: string | null;
  gainDdbi: number;
  isFullHotspot: boolean;
  lastBeaconMs: number | null;
  lastWitnessMs: number | null;
  lastBeaconRecipMs: number | null;
}

export interface PocBeacon {
  hash: string;
  hotspot: string;
  receivedMs: number;
  remoteEntropy: Uint8Array;
  localEntropy: Uint8Array;
  data: Uint8Array;
  frequency: number;
  datarate: string;
  txPower: number;
}

export interface PocWitness {
  hash: string;
  hotspot: string;
  receivedMs: number;
  data: Uint8Array;
  signal: number;
  snr: number;
  frequency: number;
  datarate: string;
}

export interface PocContext {
  gateway(address: string): Gateway | undefined;
  /** Timestamp (s) of the stored entropy the beacon cites, null when no such entropy exists. */
  entropyTimestampS: number | null;
  /** Denylist tag when the key is denied. */
  deniedKey(address: string): string | null;
  /** Denylist tag when the unordered pair is denied. */
  deniedEdge(a: string, b: string): string | null;
  beaconIntervalS: number;
  maxWitnesses?: number;
}

export interface WitnessOutcome {
  hash: string;
  hotspot: string;
  reason: InvalidReason | null;
  side: ParticipantSide | null;
  denylistTag: string | null;
  selected: boolean;
  rewardUnit: number;
  distanceM: number | null;
  /** signal − free-space maximum (dBm×10); > 0 means stronger than physics allows for the asserted distance. */
  rssiMarginDdb: number | null;
  /** Passed every witness check before reciprocity: a physically plausible link, usable as a coverage measurement. */
  radioValid: boolean;
}

export interface PocOutcome {
  beaconReason: InvalidReason | null;
  beaconDenylistTag: string | null;
  beaconRewardUnit: number;
  witnesses: WitnessOutcome[];
  /** Timestamp updates to apply to hotspots, in this order. */
  updates: { beaconer: { lastBeaconMs?: number; lastBeaconRecipMs?: number }; witnessLastWitnessMs: Map<string, number> };
}

/** Orders witnesses as the verifier's DB does: received time, then hash for a deterministic tie break. */
export function byReceived(a: PocWitness, b: PocWitness): number {
  return a.receivedMs - b.receivedMs || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0);
}

function checkBeacon(beacon: PocBeacon, ctx: PocContext): { reason: CheckResult; tag: string | null; pastStep2: boolean } {
  const gw = ctx.gateway(beacon.hotspot);
  if (!gw) return { reason: 'gateway_not_found', tag: null, pastStep2: false };
  if (!gw.location || !gw.region) return { reason: 'not_asserted', tag: null, pastStep2: false };
  const tag = ctx.deniedKey(beacon.hotspot);
  if (tag !== null) return { reason: 'denied', tag, pastStep2: true };
  if (ctx.entropyTimestampS === null) return { reason: 'bad_entropy', tag: null, pastStep2: true };
  const reason =
    verifyEntropyWindow(ctx.entropyTimestampS, ctx.entropyTimestampS + ENTROPY_LIFESPAN_S, beacon.receivedMs) ??
    verifyCapability(gw.isFullHotspot) ??
    verifyBeaconSchedule(gw.lastBeaconMs, beacon.receivedMs, ctx.beaconIntervalS) ??
    verifyBeaconPayload({
      region: gw.region,
      remoteEntropy: beacon.remoteEntropy,
      entropyTimestampS: ctx.entropyTimestampS,
      localEntropy: beacon.localEntropy,
      data: beacon.data,
      frequency: beacon.frequency,
      datarate: beacon.datarate,
    });
  return { reason, tag: null, pastStep2: true };
}

interface WitnessCheck {
  reason: CheckResult;
  tag: string | null;
  distanceM: number | null;
  rssiMarginDdb: number | null;
  rssiTooStrong?: boolean;
}

function checkWitness(beacon: PocBeacon, beaconer: Gateway, witness: PocWitness, firstWitnessMs: number, ctx: PocContext): WitnessCheck {
  const gw = ctx.gateway(witness.hotspot);
  const out: WitnessCheck = { reason: null, tag: null, distanceM: null, rssiMarginDdb: null };
  if (!gw) return { ...out, reason: 'gateway_not_found' };
  if (!gw.location || !gw.region) return { ...out, reason: 'not_asserted' };
  if (beaconer.location) {
    // Measured for every located pair, valid or not: the plausibility model and coverage use it.
    out.distanceM = distanceMeters(beaconer.location, gw.location);
    const max = calcExpectedRssi(beacon.txPower, witness.frequency, out.distanceM, beaconer.gainDdbi, gw.gainDdbi);
    out.rssiMarginDdb = Number.isFinite(max) ? Math.round(witness.signal - max * 10) : null;
    out.rssiTooStrong = !(witness.signal / 10 <= max);
  }
  const keyTag = ctx.deniedKey(witness.hotspot);
  if (keyTag !== null) return { ...out, reason: 'denied', tag: keyTag };
  const edgeTag = ctx.deniedEdge(beacon.hotspot, witness.hotspot);
  if (edgeTag !== null) return { ...out, reason: 'denied_edge', tag: edgeTag };
  const entropyS = ctx.entropyTimestampS ?? Number.NaN;
  out.reason =
    verifySelfWitness(beacon.hotspot, witness.hotspot) ??
    verifyEntropyWindow(entropyS, entropyS + ENTROPY_LIFESPAN_S, witness.receivedMs) ??
    verifyWitnessNotEarly(beacon.receivedMs, witness.receivedMs) ??
    verifyWitnessLag(beacon.receivedMs, firstWitnessMs, witness.receivedMs) ??
    verifyWitnessData(beacon.data, witness.data) ??
    verifyCapability(gw.isFullHotspot) ??
    verifyWitnessFrequency(beacon.frequency, witness.frequency) ??
    verifyWitnessRegion(beaconer.region!, gw.region) ??
    verifyWitnessCellDistance(beaconer.location!, gw.location) ??
    verifyWitnessDistance(beaconer.location!, gw.location) ??
    (out.rssiTooStrong !== false ? 'bad_rssi' : null);
  return out;
}

/** Verifies one PoC (a beacon and every witness report of its data) with Helium's rules, in Helium's order. */
export function evaluatePoc(beacon: PocBeacon, witnessReports: PocWitness[], ctx: PocContext): PocOutcome {
  const witnesses = [...witnessReports].sort(byReceived);
  const updates: PocOutcome['updates'] = { beaconer: {}, witnessLastWitnessMs: new Map() };
  const beaconCheck = checkBeacon(beacon, ctx);
  if (beaconCheck.pastStep2) updates.beaconer.lastBeaconMs = beacon.receivedMs;

  const failAll = (reason: InvalidReason, tag: string | null, checks?: WitnessCheck[], radioOk?: boolean[]): PocOutcome => ({
    beaconReason: reason,
    beaconDenylistTag: tag,
    beaconRewardUnit: 0,
    witnesses: witnesses.map((w, i) => ({
      hash: w.hash,
      hotspot: w.hotspot,
      reason: checks?.[i]?.reason === 'self_witness' ? 'self_witness' : reason,
      side: 'beaconer',
      denylistTag: tag,
      selected: false,
      rewardUnit: 0,
      distanceM: checks?.[i]?.distanceM ?? null,
      rssiMarginDdb: checks?.[i]?.rssiMarginDdb ?? null,
      radioValid: radioOk?.[i] ?? false,
    })),
    updates,
  });
  if (beaconCheck.reason) return failAll(beaconCheck.reason, beaconCheck.tag);

  const beaconer = ctx.gateway(beacon.hotspot)!;
  if (witnesses.length > 0) updates.beaconer.lastBeaconRecipMs = beacon.receivedMs;
  // A too-early witness is rejected, so it must not become the "first" that later witnesses' 1.5 s spread counts from.
  const firstWitnessMs = witnesses.find((w) => verifyWitnessNotEarly(beacon.receivedMs, w.receivedMs) === null)?.receivedMs ?? beacon.receivedMs;
  const seen = new Set<string>();
  const checks: WitnessCheck[] = witnesses.map((w) => {
    if (seen.has(w.hotspot)) return { reason: 'duplicate', tag: null, distanceM: null, rssiMarginDdb: null };
    seen.add(w.hotspot);
    return checkWitness(beacon, beaconer, w, firstWitnessMs, ctx);
  });

  const sides: (ParticipantSide | null)[] = checks.map((c) => (c.reason ? 'witness' : null));
  const radioOk = checks.map((c) => c.reason === null);
  checks.forEach((c, i) => {
    if (c.reason) return;
    const w = witnesses[i]!;
    updates.witnessLastWitnessMs.set(w.hotspot, w.receivedMs);
    const gw = ctx.gateway(w.hotspot)!;
    if (gw.lastBeaconRecipMs === null || w.receivedMs - gw.lastBeaconRecipMs >= RECIPROCITY_WINDOW_MS) {
      c.reason = 'gateway_no_valid_beacons';
      sides[i] = 'witness';
    }
  });

  if (beaconer.lastWitnessMs === null || beacon.receivedMs - beaconer.lastWitnessMs >= RECIPROCITY_WINDOW_MS) {
    return failAll('gateway_no_valid_witnesses', null, checks, radioOk);
  }

  const max = ctx.maxWitnesses ?? MAX_WITNESSES_PER_POC;
  const validIdx = checks.flatMap((c, i) => (c.reason === null ? [i] : []));
  const selected = new Set(validIdx.slice(0, max));
  const unit = witnessRewardUnit(selected.size);
  return {
    beaconReason: null,
    beaconDenylistTag: null,
    beaconRewardUnit: beaconRewardUnit(selected.size),
    witnesses: witnesses.map((w, i) => ({
      hash: w.hash,
      hotspot: w.hotspot,
      reason: checks[i]!.reason,
      side: sides[i]!,
      denylistTag: checks[i]!.tag,
      selected: selected.has(i),
      rewardUnit: selected.has(i) ? unit : 0,
      distanceM: checks[i]!.distanceM,
      rssiMarginDdb: checks[i]!.rssiMarginDdb,
      radioValid: radioOk[i]!,
    })),
    updates,
  };
}

/** Applies a PoC's timestamp updates to the in-memory gateway state so later PoCs in a batch see them. */
export function applyPocUpdates(outcome: PocOutcome, beaconer: Gateway | undefined, gateway: (a: string) => Gateway | undefined): void {
  if (beaconer) {
    if (outcome.updates.beaconer.lastBeaconMs !== undefined) beaconer.lastBeaconMs = outcome.updates.beaconer.lastBeaconMs;
    if (outcome.updates.beaconer.lastBeaconRecipMs !== undefined) beaconer.lastBeaconRecipMs = outcome.updates.beaconer.lastBeaconRecipMs;
  }
  for (const [address, ms] of outcome.updates.witnessLastWitnessMs) {
    const gw = gateway(address);
    if (gw) gw.lastWitnessMs = ms;
  }
}
