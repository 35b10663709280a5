import { describe, expect, it } from 'vitest';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  buildRewardsMerkleTree,
  ed25519Sign,
  ed25519Verify,
  leafHash,
  nodeHash,
  onboardMessage,
  POC_NETWORK_PROGRAM_ID,
  verifyRewardsProof,
} from '@poc/sdk';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('rewards Merkle tree (packages/protocol/SPEC.md §Rewards Merkle tree)', () => {
  it('matches the vectors asserted by the Rust program (logic.rs)', () => {
    expect(hex(leafHash(new Uint8Array(32).fill(1), 1_000_000n))).toBe('f1da796f37bc742c5f2c2c22eb30ee2b41e8fb18afd434cf591398668f77c61a');
    const a = new Uint8Array(32).fill(2);
    const b = new Uint8Array(32).fill(1);
    expect(hex(nodeHash(a, b))).toBe('b331da6ec49d4547d9942a6727e5123f69bed5a0b97ac171cfbfd6201431fcfa');
    expect(hex(nodeHash(b, a))).toBe(hex(nodeHash(a, b)));
  });

  it('proves every leaf for trees of 1..9 leaves and rejects altered amounts', () => {
    for (let n = 1; n <= 9; n++) {
      const entries = Array.from({ length: n }, (_, i) => ({ hotspotKey: Keypair.generate().publicKey.toBytes(), cumulative: BigInt(1000 * (i + 1)) }));
      const tree = buildRewardsMerkleTree(entries);
      expect(tree.totalCumulative).toBe(entries.reduce((s, e) => s + e.cumulative, 0n));
      for (const e of entries) {
        const proof = tree.proof(e.hotspotKey)!;
        expect(verifyRewardsProof(tree.root, e.hotspotKey, e.cumulative, proof)).toBe(true);
        expect(verifyRewardsProof(tree.root, e.hotspotKey, e.cumulative + 1n, proof)).toBe(false);
      }
    }
  });

  it('has the single leaf as root, promotes odd nodes and is order independent', () => {
    const k = (v: number) => new Uint8Array(32).fill(v);
    const single = buildRewardsMerkleTree([{ hotspotKey: k(7), cumulative: 42n }]);
    expect(hex(single.root)).toBe(hex(leafHash(k(7), 42n)));
    expect(single.proof(k(7))).toEqual([]);
    const three = [
      { hotspotKey: k(3), cumulative: 3n },
      { hotspotKey: k(1), cumulative: 1n },
      { hotspotKey: k(2), cumulative: 2n },
    ];
    const l = [leafHash(k(1), 1n), leafHash(k(2), 2n), leafHash(k(3), 3n)];
    const tree = buildRewardsMerkleTree(three);
    expect(hex(tree.root)).toBe(hex(nodeHash(nodeHash(l[0]!, l[1]!), l[2]!)));
    expect(hex(buildRewardsMerkleTree([...three].reverse()).root)).toBe(hex(tree.root));
    expect(tree.proof(k(9))).toBeNull();
    expect(() => buildRewardsMerkleTree([])).toThrow();
    expect(() => buildRewardsMerkleTree([three[0]!, three[0]!])).toThrow(/duplicate/);
    expect(() => leafHash(k(1), 1n << 64n)).toThrow();
  });

  it('builds the possession message and signs it as Ed25519', () => {
    const hotspot = Keypair.generate();
    const owner = new PublicKey(new Uint8Array(32).fill(3));
    const maker = new PublicKey(new Uint8Array(32).fill(4));
    const msg = onboardMessage(POC_NETWORK_PROGRAM_ID, hotspot.publicKey, owner, maker);
    expect(msg.length).toBe(22 + 128);
    expect(Buffer.from(msg.subarray(0, 22)).toString()).toBe('poc-network:onboard:v1');
    expect(hex(msg.subarray(22, 54))).toBe(hex(POC_NETWORK_PROGRAM_ID.toBytes()));
    expect(hex(msg.subarray(54, 86))).toBe(hex(hotspot.publicKey.toBytes()));
    expect(hex(msg.subarray(86, 118))).toBe(hex(owner.toBytes()));
    expect(hex(msg.subarray(118))).toBe(hex(maker.toBytes()));
    const sig = ed25519Sign(hotspot.secretKey, msg);
    expect(ed25519Verify(hotspot.publicKey.toBytes(), msg, sig)).toBe(true);
    expect(ed25519Verify(owner.toBytes(), msg, sig)).toBe(false);
  });
});
