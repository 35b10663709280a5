import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCumulativeRewardsTree, leafHash, MAX_REWARDS_PROOF_LENGTH, parentHash, verifyRewardsProof } from './rewards-merkle';

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

  it('refuses keys and nodes that are not 32 bytes, and proofs longer than the program accepts', () => {
    expect(() => leafHash({ hotspotKey: new Uint8Array(31), cumulative: 1n })).toThrow('a rewards leaf key is 32 bytes, got 31');
    expect(() => parentHash(Buffer.alloc(32), Buffer.alloc(33))).toThrow('rewards tree nodes are 32 bytes');
    const leaf = { hotspotKey: key(1), cumulative: 5n };
    // A chain of 33 siblings ending at a root made from them: valid hashing, but longer than MAX_REWARDS_PROOF_LENGTH.
    const siblings = Array.from({ length: MAX_REWARDS_PROOF_LENGTH + 1 }, (_, i) => Buffer.alloc(32, i + 1));
    const root = siblings.reduce((node, sibling) => parentHash(node, sibling), leafHash(leaf));
    expect(verifyRewardsProof(root, leaf, siblings)).toBe(false);
    expect(verifyRewardsProof(root, leaf, [...siblings.slice(0, 3), Buffer.alloc(31)])).toBe(false);
  });
});
