import { distanceM, median, neighbourLinks, type LinkGraph, type LinkNode } from '../link-graph';
import type { Evidence } from './evidence';

export interface ClosedGroupParams {
  /** Smallest group judged (two hotspots that only hear each other already are one). */
  minGroup: number;
  /** A member counts when at least this many hotspots outside its group are closer than its median link. */
  minCloserOutsiders: number;
  /** The group is flagged when at least this share of its members count. */
  memberShare: number;
}

export const DEFAULT_CLOSED_GROUP_PARAMS: ClosedGroupParams = { minGroup: 2, minCloserOutsiders: 3, memberShare: 0.5 };

/** Connected components of the undirected witness graph, largest first (ties by first address, so the order is stable). */
export function components(graph: LinkGraph): string[][] {
  const parent = new Map<string, string>();
  const find = (a: string): string => {
    let root = a;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let x = a; x !== root; ) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const a of graph.nodes.keys()) parent.set(a, a);
  for (const p of graph.pairs) {
    const [ra, rb] = [find(p.beaconer), find(p.witness)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, string[]>();
  for (const a of [...graph.nodes.keys()].sort()) {
    const r = find(a);
    const g = groups.get(r);
    if (g) g.push(a);
    else groups.set(r, [a]);
  }
  return [...groups.values()].sort((x, y) => y.length - x.length || (x[0]! < y[0]! ? -1 : 1));
}

/** Hotspots sorted by latitude, for "who is within r metres of here" without comparing every pair. */
function latitudeIndex(nodes: Map<string, LinkNode>) {
  const sorted = [...nodes].sort((a, b) => a[1].lat - b[1].lat);
  const lats = sorted.map(([, n]) => n.lat);
  return (centre: LinkNode, radiusM: number): [string, LinkNode][] => {
    const dLat = radiusM / 111_000;
    let lo = 0;
    let hi = lats.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lats[mid]! < centre.lat - dLat) lo = mid + 1;
      else hi = mid;
    }
    const out: [string, LinkNode][] = [];
    for (let i = lo; i < sorted.length && lats[i]! <= centre.lat + dLat; i++) if (distanceM(centre, sorted[i]![1]) < radiusM) out.push(sorted[i]!);
    return out;
  };
}

/**
 * A group that only hears itself. Honest radios hear the hotspots around them, nearest first; a ring asserting
 * positions among other hotspots while standing elsewhere hears its own members at their asserted distances and none
 * of the closer outsiders, which also never hear it. Every component of the witness graph except the largest (the
 * network) is judged: a member counts when ≥ `minCloserOutsiders` active hotspots of its region outside the group
 * are closer to it than its median link, and the whole group is flagged when ≥ `memberShare` of its members count.
 * Remote honest groups (towns with nobody near them) have no closer outsiders and are never flagged.
 */
export function closedGroupEvidence(graph: LinkGraph, p: ClosedGroupParams = DEFAULT_CLOSED_GROUP_PARAMS): Evidence[] {
  const groups = components(graph);
  const largest = groups[0]?.length ?? 0;
  const links = neighbourLinks(graph);
  const near = latitudeIndex(graph.nodes);
  const evidence: Evidence[] = [];
  for (const group of groups) {
    if (group.length >= largest || group.length < p.minGroup) continue;
    const members = new Set(group);
    const findings = group.map((hotspot) => {
      const node = graph.nodes.get(hotspot)!;
      const medianLinkM = Math.round(median([...(links.get(hotspot)?.values() ?? [])].map((l) => l.distanceM)));
      const closer = near(node, medianLinkM).filter(([a, n]) => !members.has(a) && n.region === node.region).length;
      return { hotspot, medianLinkM, closer };
    });
    const counting = findings.filter((f) => f.closer >= p.minCloserOutsiders).length;
    if (counting < p.memberShare * group.length) continue;
    for (const f of findings) {
      evidence.push({
        hotspot: f.hotspot,
        kind: 'closed_group',
        reason:
          `links only within a closed group of ${group.length} hotspots: ${f.closer} active hotspots outside the group are closer ` +
          `than its median link (${f.medianLinkM} m) and never heard it nor were heard by it (${counting} of the ${group.length} members are in that position)`,
        detail: { group_size: group.length, closer_outsiders: f.closer, median_link_m: f.medianLinkM, members_counting: counting },
      });
    }
  }
  return evidence;
}
