import { HotspotFit } from './fit';
import { FIXTURE_TX_POWER_DDBM } from './fixture';
import { checkAntennaGain, DEFAULT_GAIN_CHECK, type GainCheckParams } from './gain-check';
import { measuredSignalDbm } from './link-budget';
import {
  checkLocation,
  DEFAULT_LOCATION_CHECK,
  siteAwareModel,
  type HeardTransmitter,
  type LocationCheckParams,
  type LocationVerdict,
  type SiteHistory,
} from './location-check';
import { meanSignalDbm, type PropagationModel } from './model';
import { estimateSiteSplit, residualGroup, type SiteSplit, type SiteSplitParams, DEFAULT_SITE_SPLIT } from './site-split';

/**
 * Spoof evaluation on real receptions (README.md §Radio model and spoof detection): the receptions stay as they were
 * heard; each hotspot-week is checked once at its true location (honest) and once per distance with its asserted
 * location moved that far in a direction drawn from the hotspot-week's name (the same every run).
 */
export interface SpoofEvalResult {
  hotspotWeeks: number;
  /** Hotspot-weeks checked with the hotspot's own history (withHistory runs only). */
  withHistory: number;
  honestFlagged: number;
  moved: { distanceM: number; flagged: number; byReason: Record<string, number> }[];
}

/**
 * A real reception as the evaluations need it: the CampusIoT fixture's rows (fixture.ts) and the Antwerp extract's
 * (antwerp-fixture.ts). `week` is the grouping key (a week, or a batch where the data has no time); `snrDb` is null
 * where the source published RSSI only.
 */
export interface ObservedReception {
  hotspot: string;
  week: number;
  txLat: number;
  txLng: number;
  rxLat: number;
  rxLng: number;
  distanceM: number;
  frequencyHz: number;
  rssiDbm: number;
  snrDb: number | null;
}

/** Signal power at the receiver: from RSSI and SNR as link-budget.ts says, or the RSSI itself when no SNR was given. */
function signalOf(r: ObservedReception, noiseFloorDbm: number): number {
  return r.snrDb === null ? r.rssiDbm : measuredSignalDbm(r.rssiDbm, r.snrDb, noiseFloorDbm);
}

const EARTH_RADIUS_M = 6_371_007.180918475;
const RAD = Math.PI / 180;

function moved(p: { lat: number; lng: number }, distanceM: number, bearingRad: number) {
  return {
    lat: p.lat + ((distanceM * Math.cos(bearingRad)) / EARTH_RADIUS_M) / RAD,
    lng: p.lng + ((distanceM * Math.sin(bearingRad)) / (EARTH_RADIUS_M * Math.cos(p.lat * RAD))) / RAD,
  };
}

/** FNV-1a of a label as a fraction of a turn: a direction that depends only on the hotspot-week. */
function bearingOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return (h / 2 ** 32) * 2 * Math.PI;
}

/**
 * The hotspot's true position relative to each transmitter: the source gives exact distances but obfuscated positions
 * (geohash-6), so the receiver is placed at the given distance from the transmitter, in the direction the obfuscated
 * positions show (or a fixed pseudo-random one when both fall in one cell).
 */
function heardFrom(receptions: readonly ObservedReception[], noiseFloorDbm: number): { origin: { lat: number; lng: number }; heard: HeardTransmitter[] } {
  const origin = { lat: receptions[0]!.rxLat, lng: receptions[0]!.rxLng };
  const heard = receptions.map((r) => {
    const dx = (r.txLng - r.rxLng) * RAD * Math.cos(r.rxLat * RAD);
    const dy = (r.txLat - r.rxLat) * RAD;
    const bearing = Math.hypot(dx, dy) * EARTH_RADIUS_M > 100 ? Math.atan2(dx, dy) : bearingOf(`${r.hotspot}:${r.txLat}:${r.txLng}`);
    const tx = moved(origin, r.distanceM, bearing);
    return {
      lat: tx.lat,
      lng: tx.lng,
      signalDbm: signalOf(r, noiseFloorDbm),
      frequencyHz: r.frequencyHz,
      txPowerDdbm: FIXTURE_TX_POWER_DDBM,
      txGainDdbi: 0,
      rxGainDdbi: 0,
    };
  });
  return { origin, heard };
}

export function hotspotWeeks<R extends ObservedReception>(receptions: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of receptions) {
    const key = `${r.hotspot}:${r.week}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

/**
 * Each hotspot-week's site history from the hotspot's *other* weeks (leave one out): the mean excess of their links
 * over the model at the true location, and the within-hotspot spread. Hotspot-weeks of a hotspot seen only once
 * have none.
 */
function leaveOneOutHistory(model: PropagationModel, groups: Map<string, ObservedReception[]>, withinSdDb: number): Map<string, SiteHistory> {
  const excessByWeek = new Map<string, { hotspot: string; sum: number; n: number }>();
  for (const [key, group] of groups) {
    const { origin, heard } = heardFrom(group, model.noiseFloorDbm);
    let sum = 0;
    for (const t of heard) {
      const d = distanceBetween(origin, t);
      sum += t.signalDbm - meanSignalDbm(model, { ...t, distanceM: d });
    }
    excessByWeek.set(key, { hotspot: group[0]!.hotspot, sum, n: heard.length });
  }
  const byHotspot = new Map<string, { sum: number; n: number; weeks: number }>();
  for (const w of excessByWeek.values()) {
    const h = byHotspot.get(w.hotspot) ?? { sum: 0, n: 0, weeks: 0 };
    byHotspot.set(w.hotspot, { sum: h.sum + w.sum, n: h.n + w.n, weeks: h.weeks + 1 });
  }
  const history = new Map<string, SiteHistory>();
  for (const [key, w] of excessByWeek) {
    const h = byHotspot.get(w.hotspot)!;
    if (h.weeks < 2) continue;
    history.set(key, { offsetDb: (h.sum - w.sum) / (h.n - w.n), sdDb: withinSdDb });
  }
  return history;
}

function distanceBetween(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const x = (b.lng - a.lng) * RAD * EARTH_RADIUS_M * Math.cos(a.lat * RAD);
  const y = (b.lat - a.lat) * RAD * EARTH_RADIUS_M;
  return Math.hypot(x, y);
}

/**
 * The site split (site-split.ts) of receptions against a model: each reception's excess (signal − model mean) grouped
 * by receiver, links beyond the model's minimum distance. Null with too few receivers.
 */
export function siteSplitOf(model: PropagationModel, receptions: readonly ObservedReception[], p: SiteSplitParams = DEFAULT_SITE_SPLIT): SiteSplit | null {
  const byReceiver = new Map<string, number[]>();
  for (const r of receptions) {
    if (r.distanceM < model.minDistanceM) continue;
    const link = { distanceM: r.distanceM, frequencyHz: r.frequencyHz, txPowerDdbm: FIXTURE_TX_POWER_DDBM, txGainDdbi: 0, rxGainDdbi: 0 };
    const excess = signalOf(r, model.noiseFloorDbm) - meanSignalDbm(model, link);
    const list = byReceiver.get(r.hotspot);
    if (list) list.push(excess);
    else byReceiver.set(r.hotspot, [excess]);
  }
  return estimateSiteSplit([...byReceiver.values()].map(residualGroup), p);
}

/** The check's parameters with the split estimated from data (or unchanged when there is none). */
export function withSiteSplit(params: LocationCheckParams, split: SiteSplit | null): LocationCheckParams {
  return split ? { ...params, siteSplit: { withinSdDb: split.withinSdDb, siteSdDb: split.siteSdDb } } : params;
}

export function evaluateSpoofDetection(
  model: PropagationModel,
  receptions: readonly ObservedReception[],
  distancesM: readonly number[],
  params: LocationCheckParams = DEFAULT_LOCATION_CHECK,
  options: {
    withHistory?: boolean;
    /** Without history, judge with siteAwareModel's σ (links sharing the hotspot's site) instead of the per-link σ. */
    siteAware?: boolean;
    onVerdict?: (key: string, distanceM: number, verdict: LocationVerdict) => void;
  } = {},
): SpoofEvalResult {
  const groups = hotspotWeeks(receptions);
  const histories = options.withHistory ? leaveOneOutHistory(model, groups, params.withinHotspotSdDb) : new Map<string, SiteHistory>();
  const onVerdict = options.onVerdict;
  let honestFlagged = 0;
  let withHistory = 0;
  const movedResults = distancesM.map((distanceM) => ({ distanceM, flagged: 0, byReason: {} as Record<string, number> }));
  for (const [key, group] of groups) {
    const { origin, heard } = heardFrom(group, model.noiseFloorDbm);
    const history = histories.get(key);
    if (history) withHistory++;
    const check = (asserted: { lat: number; lng: number }) => {
      if (history || !options.siteAware) return checkLocation(model, asserted, heard, params, history);
      const { transmitters } = checkLocation(model, asserted, heard, { ...params, minTransmittersForGeometry: Number.POSITIVE_INFINITY });
      return checkLocation(siteAwareModel(model, transmitters, params.siteSplit?.withinSdDb ?? params.withinHotspotSdDb, params.siteSplit?.siteSdDb), asserted, heard, params);
    };
    const honest = check(origin);
    onVerdict?.(key, 0, honest);
    if (honest.flagged) honestFlagged++;
    for (const result of movedResults) {
      const verdict = check(moved(origin, result.distanceM, bearingOf(key)));
      onVerdict?.(key, result.distanceM, verdict);
      if (!verdict.flagged) continue;
      result.flagged++;
      for (const reason of verdict.reasons) result.byReason[reason.kind] = (result.byReason[reason.kind] ?? 0) + 1;
    }
  }
  return { hotspotWeeks: groups.size, withHistory, honestFlagged, moved: movedResults };
}

export interface GainEvalResult {
  hotspotWeeks: number;
  /** Hotspot-weeks with enough links for a verdict. */
  checked: number;
  honestFlagged: number;
  inflated: { extraGainDdbi: number; flagged: number }[];
}

/**
 * Inflated antenna gain on real receptions: each hotspot-week's links as heard, judged once with the gain the data
 * assumes (0 dBi, honest) and once per inflation with the hotspot asserting that much more.
 */
export function evaluateGainCheck(
  model: PropagationModel,
  receptions: readonly ObservedReception[],
  extraGainsDdbi: readonly number[],
  params: GainCheckParams = DEFAULT_GAIN_CHECK,
): GainEvalResult {
  const groups = hotspotWeeks(receptions);
  let checked = 0;
  let honestFlagged = 0;
  const inflated = extraGainsDdbi.map((extraGainDdbi) => ({ extraGainDdbi, flagged: 0 }));
  for (const group of groups.values()) {
    const fitWith = (rxGainDdbi: number) =>
      group.reduce(
        (fit, r) =>
          fit.add({
            distanceM: r.distanceM,
            frequencyHz: r.frequencyHz,
            linkBudgetDbm: (FIXTURE_TX_POWER_DDBM + rxGainDdbi) / 10,
            signalDbm: signalOf(r, model.noiseFloorDbm),
          }),
        new HotspotFit(model),
      );
    const honest = checkAntennaGain(model, fitWith(0).sums, 0, params);
    if (honest.zScore === null) continue;
    checked++;
    if (honest.flagged) honestFlagged++;
    for (const result of inflated) {
      if (checkAntennaGain(model, fitWith(result.extraGainDdbi).sums, result.extraGainDdbi, params).flagged) result.flagged++;
    }
  }
  return { hotspotWeeks: groups.size, checked, honestFlagged, inflated };
}
