import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCumulativeRewardsTree, leafHash, verifyRewardsProof } from './rewards-merkle';

const key = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? n : i));

describe('cumulative rewards Merkle tree (SPEC.md §Rewards Merkle tree)', () => {
  it('hashes a leaf as sha256(0x00 ‖ key ‖ u64le(amount)); a single leaf is the root with an empty proof', () => {
    const leaf = { hotspotKey: key(1), cumulative: 258n };
    const expected = createHash('sha256').update(Buffer.concat([Buffer.of(0), key(1), Buffer.from([2, 1, 0, 0, 0, 0, 0, 0])])).digest();
    expect(leafHash(leaf)).toEqual(expected);
    const tree = buildCumulativeRewardsTree([leaf]);
    expect(tree.root).toEqual(expected);
    expect(tree.proof(key(1))).toEqual([]);
  });

  it('proves every leaf of odd-sized trees, independent of input order', () => {
    for (const n of [2, 3, 5, 8, 13]) {
      const leaves = Array.from({ length: n }, (_, i) => ({ hotspotKey: key(200 - i * 7), cumulative: BigInt(i * 1000 + 1) }));
      const tree = buildCumulativeRewardsTree(leaves);
      expect(buildCumulativeRewardsTree([...leaves].reverse()).root).toEqual(tree.root);
      for (const leaf of leaves) expect(verifyRewardsProof(tree.root, leaf, tree.proof(leaf.hotspotKey)!)).toBe(true);
      expect(verifyRewardsProof(tree.root, { ...leaves[0]!, cumulative: 2n }, tree.proof(leaves[0]!.hotspotKey)!)).toBe(false);
    }
  });
});
