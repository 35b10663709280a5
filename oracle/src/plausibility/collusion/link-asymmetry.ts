import { median, type LinkGraph } from '../link-graph';
import type { Evidence } from './evidence';

export interface AsymmetryParams {
  /** Two directions of one pair may differ by this much (dB) in `tx_power − signal` (fading, AGC, cable losses). */
  maxDifferenceDb: number;
  /** Two-way links a hotspot needs before it is judged. */
  minTwoWay: number;
  /** Share of its two-way links that must be asymmetric. */
  share: number;
}

export const DEFAULT_ASYMMETRY_PARAMS: AsymmetryParams = { maxDifferenceDb: 15, minTwoWay: 4, share: 0.5 };

/**
 * Radio links are reciprocal: the path loss from A to B is the loss from B to A, and both antenna gains enter both
 * directions, so `tx_power − signal` must agree (median over reports) whichever side transmitted. A hotspot that
 * inflates or invents what it received — or a pair that made its numbers up — disagrees with most of its two-way
 * partners, while each honest partner disagrees only on its one link with it.
 */
export function linkAsymmetryEvidence(graph: LinkGraph, p: AsymmetryParams = DEFAULT_ASYMMETRY_PARAMS): Evidence[] {
  const loss = new Map(graph.pairs.map((l) => [`${l.beaconer}|${l.witness}`, l.lossDb]));
  const perHotspot = new Map<string, number[]>();
  for (const l of graph.pairs) {
    if (l.beaconer > l.witness) continue; // each unordered pair once
    const back = loss.get(`${l.witness}|${l.beaconer}`);
    if (back === undefined) continue;
    const difference = Math.abs(l.lossDb - back);
    for (const h of [l.beaconer, l.witness]) {
      const list = perHotspot.get(h);
      if (list) list.push(difference);
      else perHotspot.set(h, [difference]);
    }
  }
  const evidence: Evidence[] = [];
  for (const [hotspot, differences] of [...perHotspot].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (differences.length < p.minTwoWay) continue;
    const asymmetric = differences.filter((d) => d > p.maxDifferenceDb).length;
    if (asymmetric < p.share * differences.length) continue;
    const typical = Math.round(median(differences) * 10) / 10;
    evidence.push({
      hotspot,
      kind: 'link_asymmetry',
      reason: `${asymmetric} of its ${differences.length} two-way links differ by more than ${p.maxDifferenceDb} dB between the two directions (median ${typical} dB); radio paths are reciprocal`,
      detail: { two_way_links: differences.length, asymmetric, median_difference_db: typical },
    });
  }
  return evidence;
}
