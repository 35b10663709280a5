import { buildCumulativeRewardsTree, verifyRewardsProof, type RewardLeaf } from '@poc/protocol';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodePagesFor, proofFromPages, sortedByKey, treePages } from './reward-tree';

const key = (i: number) => createHash('sha256').update(`hotspot ${i}`).digest();
const leavesOf = (n: number): RewardLeaf[] => sortedByKey(Array.from({ length: n }, (_, i) => ({ hotspotKey: key(i), cumulative: BigInt(i * 1_000_003 + 7) })));

describe('stored reward tree pages', () => {
  it('give the same proofs as the tree, at every page and level boundary', () => {
    for (const n of [1, 2, 3, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 2049, 40_000]) {
      const leaves = leavesOf(n);
      const tree = buildCumulativeRewardsTree(leaves);
      const { leafPages, nodePages } = treePages(leaves, tree.levels);
      expect(leafPages).toHaveLength(Math.ceil(n / 32));
      const boundaries = [0, 1, 30, 31, 32, 33, 62, 63, 64, 1022, 1023, 1024, 1025, 2047, 2048, 32_767, 32_768, n - 2, n - 1];
      const sample = n <= 65 ? [...leaves.keys()] : [...new Set(boundaries.filter((i) => i >= 0 && i < n))];
      for (const i of sample) {
        const leafPage = leafPages[Math.floor(i / 32)]!;
        const wanted = nodePagesFor(i, n);
        const nodes = new Map([...wanted].map(([level, page]) => [level, nodePages.find((p) => p.level === level && p.page === page)!.nodes]));
        const found = proofFromPages(leaves[i]!.hotspotKey, n, leafPage, nodes)!;
        expect(found.cumulative).toBe(leaves[i]!.cumulative);
        expect(Buffer.concat(found.proof).toString('hex')).toBe(Buffer.concat(tree.proof(leaves[i]!.hotspotKey)!).toString('hex'));
        expect(verifyRewardsProof(tree.root, leaves[i]!, found.proof)).toBe(true);
      }
    }
  });

  it('stores about 42 bytes per leaf and reads one node page per 5 levels', () => {
    const leaves = leavesOf(40_000);
    const { leafPages, nodePages } = treePages(leaves, buildCumulativeRewardsTree(leaves).levels);
    const bytes = [...leafPages.map((p) => p.keys.length + p.cumulatives.length + 32), ...nodePages.map((p) => p.nodes.length)].reduce((a, b) => a + b, 0);
    expect(bytes / 40_000).toBeLessThan(43); // key 32 + amount 8 + the page's first key and the node pages
    expect(nodePagesFor(12_345, 40_000).size).toBe(3); // 17 levels: pages at levels 5, 10 and 15
  });

  it('finds no proof for a key that is not a leaf', () => {
    const leaves = leavesOf(40);
    const { leafPages } = treePages(leaves, buildCumulativeRewardsTree(leaves).levels);
    expect(proofFromPages(key(999), 40, leafPages[0]!, new Map())).toBeNull();
  });
});
