import { createHash } from 'node:crypto';

/**
 * Merkle tree of cumulative rewards exactly as /work/notes/chain_interface.md specifies (the program verifies it):
 * leaf = sha256(0x00 ‖ key ‖ u64le(amount)), parent = sha256(0x01 ‖ min ‖ max), odd node promoted, leaves sorted by key.
 */
export interface RewardLeaf {
  hotspotKey: Uint8Array;
  cumulative: bigint;
}

export function leafHash(leaf: RewardLeaf): Buffer {
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(leaf.cumulative);
  return createHash('sha256').update(Buffer.of(0)).update(leaf.hotspotKey).update(amount).digest();
}

function parentHash(a: Buffer, b: Buffer): Buffer {
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  return createHash('sha256').update(Buffer.of(1)).update(lo).update(hi).digest();
}

export interface RewardsTree {
  root: Buffer;
  leafCount: number;
  /** Sibling list for the leaf of `hotspotKey`, or null when it is not in the tree. */
  proof(hotspotKey: Uint8Array): Buffer[] | null;
}

export function buildCumulativeRewardsTree(leaves: readonly RewardLeaf[]): RewardsTree {
  const sorted = [...leaves].sort((a, b) => Buffer.compare(Buffer.from(a.hotspotKey), Buffer.from(b.hotspotKey)));
  const levels: Buffer[][] = [sorted.map(leafHash)];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? parentHash(level[i]!, level[i + 1]!) : level[i]!);
    levels.push(next);
  }
  const index = new Map(sorted.map((l, i) => [Buffer.from(l.hotspotKey).toString('hex'), i]));
  return {
    root: levels[levels.length - 1]![0] ?? Buffer.alloc(32),
    leafCount: sorted.length,
    proof(hotspotKey) {
      let i = index.get(Buffer.from(hotspotKey).toString('hex'));
      if (i === undefined) return null;
      const siblings: Buffer[] = [];
      for (const level of levels.slice(0, -1)) {
        const sibling = i % 2 === 0 ? i + 1 : i - 1;
        if (sibling < level.length) siblings.push(level[sibling]!);
        i = Math.floor(i / 2);
      }
      return siblings;
    },
  };
}

export function verifyRewardsProof(root: Uint8Array, leaf: RewardLeaf, proof: readonly Uint8Array[]): boolean {
  let node = leafHash(leaf);
  for (const sibling of proof) node = parentHash(node, Buffer.from(sibling));
  return node.equals(Buffer.from(root));
}
