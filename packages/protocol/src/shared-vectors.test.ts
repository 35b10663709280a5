// The vectors in packages/protocol/vectors/ are the contract between this package and the program: the Rust unit
// tests in programs/programs/poc-network/src/logic.rs assert the same files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onboardingMessage } from './onboarding';
import { buildCumulativeRewardsTree, leafHash, parentHash, verifyRewardsProof } from './rewards-merkle';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));
const bytes = (hex: string) => Buffer.from(hex, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('shared vectors', () => {
  const merkle = load('rewards-merkle.json') as {
    leaves: { hotspotKey: string; cumulative: string; hash: string }[];
    nodes: { a: string; b: string; hash: string }[];
    trees: { entries: { hotspotKey: string; cumulative: string }[]; root: string; proofs: string[][] }[];
  };

  it('leaf and node hashes', () => {
    for (const v of merkle.leaves) expect(hex(leafHash({ hotspotKey: bytes(v.hotspotKey), cumulative: BigInt(v.cumulative) }))).toBe(v.hash);
    for (const v of merkle.nodes) {
      expect(hex(parentHash(bytes(v.a), bytes(v.b)))).toBe(v.hash);
      expect(hex(parentHash(bytes(v.b), bytes(v.a)))).toBe(v.hash);
    }
  });

  it('roots and proofs of whole trees', () => {
    for (const t of merkle.trees) {
      const leaves = t.entries.map((e) => ({ hotspotKey: bytes(e.hotspotKey), cumulative: BigInt(e.cumulative) }));
      const tree = buildCumulativeRewardsTree(leaves);
      expect(hex(tree.root)).toBe(t.root);
      leaves.forEach((leaf, i) => {
        expect(tree.proof(leaf.hotspotKey)!.map(hex)).toEqual(t.proofs[i]);
        expect(verifyRewardsProof(bytes(t.root), leaf, t.proofs[i]!.map(bytes))).toBe(true);
      });
    }
  });

  it('possession messages', () => {
    for (const v of load('possession.json').messages as Record<string, string>[]) {
      const message = onboardingMessage({ programId: bytes(v.programId!), hotspotKey: bytes(v.hotspotKey!), owner: bytes(v.owner!), maker: bytes(v.maker!) });
      expect(hex(message)).toBe(v.message);
    }
  });
});
