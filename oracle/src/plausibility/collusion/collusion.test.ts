import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { distanceM, type LinkGraph, type LinkPair } from '../link-graph';
import { closedGroupEvidence, collusionScales, components, fitPropagationModel, geometryEvidence, linkAsymmetryEvidence } from './index';

interface Site {
  id: string;
  /** Asserted position. */
  lat: number;
  lng: number;
  /** Where the radio is (default: asserted). */
  trueLat?: number;
  trueLng?: number;
}

/** Deterministic per-pair shadowing in [−σ√3, σ√3] dB (uniform, σ = 4 dB), the same in both directions. */
const shadow = (a: string, b: string) => ((createHash('sha256').update(a < b ? a + b : b + a).digest().readUInt16LE(0) / 65535) * 2 - 1) * 4 * Math.sqrt(3);

/** Log-distance loss (n = 3, 40 dB at 100 m) between true positions; `heard` decides which directed pairs exist. */
function graphOf(sites: Site[], heard: (a: Site, b: Site) => boolean = () => true, reported: (a: Site, b: Site, lossDb: number) => number = (_a, _b, l) => l): LinkGraph {
  const pairs: LinkPair[] = [];
  for (const a of sites) {
    for (const b of sites) {
      if (a === b || !heard(a, b)) continue;
      const trueD = distanceM({ lat: a.trueLat ?? a.lat, lng: a.trueLng ?? a.lng }, { lat: b.trueLat ?? b.lat, lng: b.trueLng ?? b.lng });
      const loss = 40 + 30 * Math.log10(Math.max(trueD, 30) / 100) + shadow(a.id, b.id);
      pairs.push({ beaconer: a.id, witness: b.id, reports: 3, lossDb: reported(a, b, loss), distanceM: Math.round(distanceM(a, b)) });
    }
  }
  return { nodes: new Map(sites.map((s) => [s.id, { lat: s.lat, lng: s.lng, region: 'EU868' }])), pairs };
}

/** A 4×4 grid of honest sites, 1.5 km apart. */
const grid = (prefix = 'h', lat0 = 48.85, lng0 = 2.35): Site[] =>
  Array.from({ length: 16 }, (_, i) => ({ id: `${prefix}${i}`, lat: lat0 + Math.floor(i / 4) * 0.0135, lng: lng0 + (i % 4) * 0.0205 }));

describe('closed group', () => {
  const honest = grid();
  // Four colluders claiming spots between the honest ones, standing elsewhere: they hear only each other.
  const ring: Site[] = [0, 1, 2, 3].map((i) => ({ id: `r${i}`, lat: 48.857 + (i >> 1) * 0.0135, lng: 2.36 + (i % 2) * 0.0205 }));
  // A remote honest village of three, 60 km away: also its own component, but nobody is near it.
  const village: Site[] = [0, 1, 2].map((i) => ({ id: `v${i}`, lat: 49.4 + i * 0.01, lng: 2.35 }));
  const sameGroup = (a: Site, b: Site) => a.id[0] === b.id[0];

  it('flags every member of a group that hears only itself while closer outsiders are never heard', () => {
    const graph = graphOf([...honest, ...ring, ...village], sameGroup);
    expect(components(graph).map((c) => c.length)).toEqual([16, 4, 3]);
    const evidence = closedGroupEvidence(graph);
    expect(evidence.map((e) => e.hotspot).sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(evidence[0]!.reason).toMatch(/closed group of 4 hotspots: \d+ active hotspots outside the group are closer than its median link/);
    expect(collusionScales(evidence).get('r0')).toBe(0);
  });

  it('leaves a group alone once it is linked to the network, and the network itself', () => {
    const bridged = graphOf([...honest, ...ring], (a, b) => sameGroup(a, b) || (a.id === 'r0' && b.id === 'h5'));
    expect(closedGroupEvidence(bridged)).toEqual([]);
  });
});

describe('link asymmetry', () => {
  const sites = grid().slice(0, 8);
  it('flags the hotspot whose reports disagree with what its partners hear from it, not the partners', () => {
    const inflated = graphOf(sites, () => true, (_a, b, loss) => (b.id === 'h3' ? loss - 30 : loss));
    const evidence = linkAsymmetryEvidence(inflated);
    expect(evidence.map((e) => e.hotspot)).toEqual(['h3']);
    expect(evidence[0]!.detail).toMatchObject({ two_way_links: 7, asymmetric: 7 });
  });
  it('finds nothing in reciprocal links', () => {
    expect(linkAsymmetryEvidence(graphOf(sites))).toEqual([]);
  });
});

describe('geometry', () => {
  it('locates a hotspot asserted 3 km from where its radio is, and only that one', () => {
    const sites = grid();
    sites[5] = { ...sites[5]!, lat: sites[5]!.lat + 0.027 }; // asserted 3 km north; the radio stays in the grid
    sites[5]!.trueLat = grid()[5]!.lat;
    sites[5]!.trueLng = grid()[5]!.lng;
    const graph = graphOf(sites);
    expect(fitPropagationModel(graph)!.exponent).toBeGreaterThan(1.5);
    const evidence = geometryEvidence(graph);
    expect(evidence.map((e) => e.hotspot)).toEqual(['h5']);
    expect(Number(evidence[0]!.detail.shift_m)).toBeGreaterThan(2000);
  });
  it('finds nothing in an honest grid, nor where signals carry no distance information', () => {
    expect(geometryEvidence(graphOf(grid()))).toEqual([]);
    expect(geometryEvidence(graphOf(grid(), () => true, () => 110))).toEqual([]);
  });
});
