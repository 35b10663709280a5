import { freeSpacePathLossDb } from './link-budget';
import type { PropagationModel } from './model';

/**
 * Is a hotspot's asserted location consistent with what it hears? Each heard transmitter is at a known position; the
 * signal it arrived with says how far away it can plausibly be under the fitted model (packages/radio/README.md
 * §Location plausibility). Two independent pieces of evidence, each with the numbers behind it:
 *
 * - too_strong: the links, at the asserted distances, are stronger than the model allows. Stouffer's combination of
 *   the per-link z-scores (signal − model mean) / σ over distinct transmitters, so one lucky line-of-sight link does
 *   not flag a hotspot but a consistent excess does.
 * - geometry: with ≥ 3 transmitters in different places, the best-fitting position (the hotspot's own offset left
 *   free: antenna height and gain are unknown) fits the signals much better than the asserted one — a triangle-
 *   inequality test over all the transmitters at once.
 */
export interface HeardTransmitter {
  lat: number;
  lng: number;
  /** Signal power at the receiver (median over the packets from this position), dBm. */
  signalDbm: number;
  frequencyHz: number;
  /** Conducted power plus both antenna gains, dB×10 (as RadioLink). */
  txPowerDdbm: number;
  txGainDdbi: number;
  rxGainDdbi: number;
}

export interface LocationCheckParams {
  /** Stouffer z above which the links are too strong for the asserted distances (regional σ) … */
  tooStrongZ: number;
  /** … and when the hotspot's own site history is known (its within-hotspot σ: a tighter test, longer tails). */
  tooStrongZWithHistory: number;
  /** Spread of one hotspot's links around its own curve once its offset is known, dB (within-hotspot σ). */
  withinHotspotSdDb: number;
  /**
   * How the model's σ splits into the hotspot's site (τ) and its links around it (σ_within) for the no-history
   * `too_strong` test (siteAwareModel), where it was estimated from the region's links (site-split.ts). Absent:
   * withinHotspotSdDb and τ² = σ² − σ_within². The geometry test keeps withinHotspotSdDb: its threshold was
   * calibrated with it, on residuals that are not independent (spatially correlated shadowing, obfuscated positions).
   */
  siteSplit?: { withinSdDb: number; siteSdDb: number };
  /** Fit improvement (χ², 2 degrees of freedom) that rejects the asserted position. */
  geometryChi2: number;
  minTransmittersForGeometry: number;
  /** Transmitters closer together than this count as one position, m. */
  samePositionM: number;
  /** The position search covers this radius around the asserted location, m. */
  searchRadiusM: number;
}

export const DEFAULT_LOCATION_CHECK: LocationCheckParams = {
  tooStrongZ: 1.82,
  tooStrongZWithHistory: 3.4,
  withinHotspotSdDb: 8,
  geometryChi2: 14.8,
  minTransmittersForGeometry: 3,
  samePositionM: 300,
  searchRadiusM: 40_000,
};

export type LocationReason =
  | { kind: 'too_strong'; zScore: number; transmitters: number; medianExcessDb: number }
  | { kind: 'geometry'; chi2: number; transmitters: number; bestShiftM: number };

export interface LocationVerdict {
  flagged: boolean;
  reasons: LocationReason[];
  /** Both statistics, flagged or not, for display and calibration. */
  tooStrongZ: number;
  geometryChi2: number | null;
  transmitters: number;
}

const EARTH_RADIUS_M = 6_371_007.180918475;
const RAD = Math.PI / 180;

function metresFrom(origin: { lat: number; lng: number }, p: { lat: number; lng: number }): [number, number] {
  return [(p.lng - origin.lng) * RAD * EARTH_RADIUS_M * Math.cos(origin.lat * RAD), (p.lat - origin.lat) * RAD * EARTH_RADIUS_M];
}

/** Merges transmitters heard from (nearly) the same place into one, with the median signal. */
function distinctPositions(heard: readonly HeardTransmitter[], origin: { lat: number; lng: number }, samePositionM: number) {
  const groups: { x: number; y: number; members: HeardTransmitter[] }[] = [];
  for (const t of heard) {
    const [x, y] = metresFrom(origin, t);
    const group = groups.find((g) => Math.hypot(g.x - x, g.y - y) < samePositionM);
    if (group) group.members.push(t);
    else groups.push({ x, y, members: [t] });
  }
  return groups.map((g) => {
    const signals = g.members.map((m) => m.signalDbm).sort((a, b) => a - b);
    return { x: g.x, y: g.y, template: g.members[0]!, signalDbm: signals[signals.length >> 1]! };
  });
}

/**
 * What the hotspot's own history says about its site: its mean excess over the model on links it made before (at a
 * location nobody disputed), and the spread left around that. Without history the regional σ is all there is.
 */
export interface SiteHistory {
  offsetDb: number;
  sdDb: number;
}

/**
 * The model with its σ set so that checkLocation's Stouffer z over N transmitter positions, without site history, is
 * the z of their mean excess: one hotspot's links share its site (τ² = σ² − σ_within²), so their mean has variance
 * τ² + σ_within²/N, not σ²/N; σ_eff = √(N·τ² + σ_within²) gives exactly that, and the prior's σ at N = 1.
 * With `siteSdDb` (τ estimated from the region's links, site-split.ts) the split is the data's, not the model's σ.
 * (The oracle's location evidence judges hotspots this way; spoof-eval.ts measures it on real receptions.)
 */
export function siteAwareModel(model: PropagationModel, transmitters: number, withinHotspotSdDb: number, siteSdDb?: number): PropagationModel {
  const siteVariance = siteSdDb !== undefined ? siteSdDb ** 2 : Math.max(0, model.shadowingSdDb ** 2 - withinHotspotSdDb ** 2);
  return { ...model, shadowingSdDb: Math.sqrt(Math.max(1, transmitters) * siteVariance + withinHotspotSdDb ** 2) };
}

export function checkLocation(
  model: PropagationModel,
  asserted: { lat: number; lng: number },
  heard: readonly HeardTransmitter[],
  p: LocationCheckParams = DEFAULT_LOCATION_CHECK,
  history?: SiteHistory,
): LocationVerdict {
  // A reception with a missing or absurd number says nothing about where the hotspot is.
  const usable = heard.filter(
    (t) => [t.lat, t.lng, t.signalDbm, t.txPowerDdbm, t.txGainDdbi, t.rxGainDdbi].every(Number.isFinite) && Math.abs(t.lat) <= 90 && t.frequencyHz > 0,
  );
  const positions = distinctPositions(usable, asserted, p.samePositionM);
  // meanSignalDbm with everything but the distance computed once per transmitter (the grid search evaluates it often).
  const terms = positions.map((t) => {
    const atOneMetre = model.pathLossAt1kmDb - 30 * model.exponent + model.frequencyDbPerDecade * Math.log10(t.template.frequencyHz / model.referenceFrequencyHz);
    return {
      x: t.x,
      y: t.y,
      signalAboveBudgetDbm: t.signalDbm - (t.template.txPowerDdbm + t.template.txGainDdbi + t.template.rxGainDdbi) / 10,
      freeSpaceAtOneMetreDb: freeSpacePathLossDb(1, t.template.frequencyHz),
      empiricalAtOneMetreDb: atOneMetre,
    };
  });
  const minLog = Math.log10(model.minDistanceM);
  const excessAt = (x: number, y: number) =>
    terms.map((t) => {
      const logD = Math.log10(Math.max(Math.hypot(t.x - x, t.y - y), 1));
      const loss = Math.max(t.freeSpaceAtOneMetreDb + 20 * logD, t.empiricalAtOneMetreDb + 10 * model.exponent * Math.max(logD, minLog));
      return t.signalAboveBudgetDbm + loss;
    });
  const excess = excessAt(0, 0);
  const reasons: LocationReason[] = [];
  const offset = history?.offsetDb ?? 0;
  const sd = history?.sdDb ?? model.shadowingSdDb;
  const tooStrongZ = excess.length === 0 ? 0 : excess.reduce((s, e) => s + (e - offset) / sd, 0) / Math.sqrt(excess.length);
  if (tooStrongZ > (history ? p.tooStrongZWithHistory : p.tooStrongZ)) {
    const sorted = [...excess].sort((a, b) => a - b);
    reasons.push({ kind: 'too_strong', zScore: tooStrongZ, transmitters: excess.length, medianExcessDb: sorted[sorted.length >> 1]! });
  }
  let geometryChi2: number | null = null;
  if (positions.length >= p.minTransmittersForGeometry) {
    // Residual sum of squares with the hotspot's own offset profiled out (the mean excess).
    const rss = (e: number[]) => {
      const mean = e.reduce((s, v) => s + v, 0) / e.length;
      return e.reduce((s, v) => s + (v - mean) ** 2, 0);
    };
    const atAsserted = rss(excess);
    let best = { rss: atAsserted, x: 0, y: 0 };
    // Coarse-to-fine grid: 41×41 over the search radius, then 21×21 around the best cell, twice.
    let span = p.searchRadiusM;
    let centre = { x: 0, y: 0 };
    for (const steps of [20, 10, 10]) {
      const step = span / steps;
      for (let i = -steps; i <= steps; i++) {
        for (let j = -steps; j <= steps; j++) {
          const x = centre.x + i * step;
          const y = centre.y + j * step;
          const value = rss(excessAt(x, y));
          if (value < best.rss) best = { rss: value, x, y };
        }
      }
      centre = { x: best.x, y: best.y };
      span = step * 2;
    }
    geometryChi2 = (atAsserted - best.rss) / p.withinHotspotSdDb ** 2;
    if (geometryChi2 > p.geometryChi2) {
      reasons.push({ kind: 'geometry', chi2: geometryChi2, transmitters: positions.length, bestShiftM: Math.hypot(best.x, best.y) });
    }
  }
  return { flagged: reasons.length > 0, reasons, tooStrongZ, geometryChi2, transmitters: positions.length };
}
