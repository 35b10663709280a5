import { localMetres, median, neighbourLinks, type LinkGraph } from '../link-graph';
import type { Evidence } from './evidence';

/**
 * Log-distance propagation: loss = a + 10·n·log10(d). Only the exponent is shared; the intercept `a` (antennas,
 * cables, clutter around one hotspot) is fitted per hotspot. A fitted model (terrain, per-region exponents) can
 * replace this one: `geometryEvidence` only needs `exponent`.
 */
export interface PropagationModel {
  exponent: number;
}

export interface GeometryParams {
  /** Distinct neighbours a hotspot needs before its position is estimated. */
  minNeighbours: number;
  /** The estimate must be at least this far (m) from the asserted location … */
  minShiftM: number;
  /** … and at least this share of the hotspot's median link. */
  shiftOfMedianLink: number;
  /** Shadowing assumed per link (dB): the noise floor of the goodness-of-fit test. */
  shadowingDb: number;
  /**
   * Improvement of the fit needed, in units of the link variance (χ² with 2 degrees of freedom, the two coordinates):
   * 23 is p = 10⁻⁵, because every hotspot is tested and the search is free over a wide area. On the simulated demo
   * fleets (5 seeds, 200–400 hotspots) the largest honest value was 12.2.
   */
  chi2: number;
  /** A fitted exponent below this means the signals carry no distance information (e.g. constant test signals). */
  minExponent: number;
  /** Pairs needed to fit the network's exponent. */
  minPairs: number;
  /**
   * Only links shorter than this (asserted) locate a hotspot. Beyond it a link is heard only when its shadowing
   * happened to be favourable (the fitted model, @poc/radio, hears an SF12 beacon at 8 km about two times in three), so
   * received links there are stronger than their distance says and would pull the estimate towards far neighbours.
   */
  maxLocatingLinkM: number;
}

export const DEFAULT_GEOMETRY_PARAMS: GeometryParams = {
  minNeighbours: 6,
  minShiftM: 1000,
  shiftOfMedianLink: 0.5,
  shadowingDb: 6,
  chi2: 23,
  minExponent: 1.5,
  minPairs: 20,
  maxLocatingLinkM: 8000,
};

const NEAR_FIELD_M = 30;
const MAX_LINK_M = 100_000;
const log10d = (d: number) => 10 * Math.log10(Math.max(d, NEAR_FIELD_M));
/** 10·log10(d) from d², without the square root (the grid search evaluates it millions of times). */
const log10dSquared = (d2: number) => 5 * Math.log10(Math.max(d2, NEAR_FIELD_M * NEAR_FIELD_M));

/**
 * The network's exponent: least squares of loss against 10·log10(asserted distance) over the median loss of each
 * 1 dB distance bin (weighted by its pairs), so a few pairs with false distances cannot tilt it. Only pairs a valid
 * witness could have (300 m to 100 km) take part.
 */
export function fitPropagationModel(graph: LinkGraph, p: GeometryParams = DEFAULT_GEOMETRY_PARAMS): PropagationModel | null {
  const bins = new Map<number, number[]>();
  let used = 0;
  for (const l of graph.pairs) {
    if (l.distanceM < 300 || l.distanceM >= MAX_LINK_M) continue;
    const bin = Math.round(log10d(l.distanceM));
    const list = bins.get(bin);
    if (list) list.push(l.lossDb);
    else bins.set(bin, [l.lossDb]);
    used++;
  }
  if (used < p.minPairs || bins.size < 2) return null;
  const points = [...bins].map(([x, ys]) => ({ x, y: median(ys), w: ys.length }));
  const total = points.reduce((a, q) => a + q.w, 0);
  const mx = points.reduce((a, q) => a + q.w * q.x, 0) / total;
  const my = points.reduce((a, q) => a + q.w * q.y, 0) / total;
  let sxy = 0;
  let sxx = 0;
  for (const q of points) {
    sxy += q.w * (q.x - mx) * (q.y - my);
    sxx += q.w * (q.x - mx) ** 2;
  }
  return sxx > 0 ? { exponent: sxy / sxx } : null;
}

/** Sum of squared residuals of the links' losses for a transmitter at (x, y), the intercept fitted. */
function residual(x: number, y: number, neighbours: readonly { e: number; n: number; lossDb: number }[], exponent: number): number {
  let sum = 0;
  let sumSq = 0;
  for (const nb of neighbours) {
    const de = nb.e - x;
    const dn = nb.n - y;
    const r = nb.lossDb - exponent * log10dSquared(de * de + dn * dn);
    sum += r;
    sumSq += r * r;
  }
  return sumSq - (sum * sum) / neighbours.length;
}

/** Best (x, y) on a 21×21 grid over ±radius, then twice on a 5× finer grid around the best point so far. */
function bestPosition(neighbours: readonly { e: number; n: number; lossDb: number }[], exponent: number, radius: number): { x: number; y: number; cost: number } {
  let best = { x: 0, y: 0, cost: residual(0, 0, neighbours, exponent) };
  let centre = { x: 0, y: 0 };
  let step = radius / 10;
  for (const span of [10, 5, 5]) {
    for (let i = -span; i <= span; i++) {
      for (let j = -span; j <= span; j++) {
        const x = centre.x + i * step;
        const y = centre.y + j * step;
        const cost = residual(x, y, neighbours, exponent);
        if (cost < best.cost) best = { x, y, cost };
      }
    }
    centre = { x: best.x, y: best.y };
    step /= 5;
  }
  return best;
}

/**
 * Geometry that does not close: with the network's path-loss exponent, the losses of a hotspot's links to neighbours
 * at known positions locate it (multilateration). When the best-fitting position is far from the asserted one and
 * fits significantly better than it, the asserted location is not where the radio is. Colluders who make every
 * signal consistent with their asserted positions pass this check; `closed_group` is what catches them.
 */
export function geometryEvidence(graph: LinkGraph, model: PropagationModel | null = fitPropagationModel(graph), p: GeometryParams = DEFAULT_GEOMETRY_PARAMS): Evidence[] {
  if (!model || model.exponent < p.minExponent) return [];
  const evidence: Evidence[] = [];
  for (const [hotspot, links] of [...neighbourLinks(graph)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Links no valid witness could have (≥ 100 km asserted) are the distance check's and trust's evidence; here they
    // would only drag the estimate towards a far-away false location of the neighbour.
    const usable = [...links].filter(([, l]) => l.distanceM < Math.min(MAX_LINK_M, p.maxLocatingLinkM));
    if (usable.length < p.minNeighbours) continue;
    const origin = graph.nodes.get(hotspot)!;
    const neighbours = usable.map(([address, l]) => {
      const [e, n] = localMetres(origin, graph.nodes.get(address)!);
      return { e, n, lossDb: l.lossDb, distanceM: l.distanceM };
    });
    const medianLinkM = median(neighbours.map((nb) => nb.distanceM));
    const asserted = residual(0, 0, neighbours, model.exponent);
    const best = bestPosition(neighbours, model.exponent, 2 * medianLinkM);
    const shiftM = Math.hypot(best.x, best.y);
    const variance = Math.max(p.shadowingDb ** 2, best.cost / Math.max(1, neighbours.length - 3));
    const improvement = (asserted - best.cost) / variance;
    if (shiftM < Math.max(p.minShiftM, p.shiftOfMedianLink * medianLinkM) || improvement < p.chi2) continue;
    evidence.push({
      hotspot,
      kind: 'geometry_mismatch',
      reason:
        `the losses of its ${neighbours.length} links place it ${Math.round(shiftM)} m from its asserted location ` +
        `(fit ${improvement.toFixed(1)}× the shadowing variance better there; path-loss exponent ${model.exponent.toFixed(2)})`,
      detail: { neighbours: neighbours.length, shift_m: Math.round(shiftM), improvement: Math.round(improvement * 10) / 10, exponent: Math.round(model.exponent * 100) / 100 },
    });
  }
  return evidence;
}
