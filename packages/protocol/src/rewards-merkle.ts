import { hash } from 'node:crypto';

/**
 * Merkle tree of cumulative rewards exactly as the program's `logic.rs` verifies it (the only implementation; the chain
 * client's packages/sdk/src/merkle.ts adds its input checks on top):
 * leaf = sha256(0x00 ‖ key ‖ u64le(amount)), parent = sha256(0x01 ‖ min ‖ max), odd node promoted, leaves sorted by key.
 */
export interface RewardLeaf {
  hotspotKey: Uint8Array;
  cumulative: bigint;
}

const scratch = Buffer.alloc(65);
/** The program refuses longer proofs (logic.rs MAX_PROOF_LEN): 2^32 leaves is far beyond any network. */
export const MAX_REWARDS_PROOF_LENGTH = 32;

export function leafHash(leaf: RewardLeaf): Buffer {
  if (leaf.hotspotKey.length !== 32) throw new Error(`a rewards leaf key is 32 bytes, got ${leaf.hotspotKey.length}`);
  scratch[0] = 0;
  scratch.set(leaf.hotspotKey, 1);
  scratch.writeBigUInt64LE(leaf.cumulative, 33);
  return hash('sha256', scratch.subarray(0, 41), 'buffer');
}

export function parentHash(a: Buffer, b: Buffer): Buffer {
  if (a.length !== 32 || b.length !== 32) throw new Error('rewards tree nodes are 32 bytes');
  const aFirst = Buffer.compare(a, b) <= 0;
  scratch[0] = 1;
  scratch.set(aFirst ? a : b, 1);
  scratch.set(aFirst ? b : a, 33);
  return hash('sha256', scratch, 'buffer');
}

export interface RewardsTree {
  root: Buffer;
  leafCount: number;
  /** Node hashes per level: leaf hashes in key order first, the root's level last (for storing the tree). */
  levels: readonly (readonly Buffer[])[];
  /** Sibling list for the leaf of `hotspotKey`, or null when it is not in the tree. */
  proof(hotspotKey: Uint8Array): Buffer[] | null;
}

export function buildCumulativeRewardsTree(leaves: readonly RewardLeaf[]): RewardsTree {
  const keys = leaves.map((l) => Buffer.from(l.hotspotKey.buffer, l.hotspotKey.byteOffset, l.hotspotKey.byteLength));
  const order = Array.from(leaves.keys());
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = Buffer.compare(keys[i - 1]!, keys[i]!) <= 0;
  if (!sorted) order.sort((a, b) => Buffer.compare(keys[a]!, keys[b]!));
  const levels: Buffer[][] = [order.map((i) => leafHash(leaves[i]!))];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Buffer[] = new Array(Math.ceil(level.length / 2));
    for (let i = 0; i < level.length; i += 2) next[i / 2] = i + 1 < level.length ? parentHash(level[i]!, level[i + 1]!) : level[i]!;
    levels.push(next);
  }
  let index: Map<string, number> | null = null;
  return {
    root: levels[levels.length - 1]![0] ?? Buffer.alloc(32),
    leafCount: leaves.length,
    levels,
    proof(hotspotKey) {
      index ??= new Map(order.map((leafIndex, position) => [keys[leafIndex]!.toString('hex'), position]));
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
  if (proof.length > MAX_REWARDS_PROOF_LENGTH || proof.some((sibling) => sibling.length !== 32) || leaf.hotspotKey.length !== 32) return false;
  let node = leafHash(leaf);
  for (const sibling of proof) node = parentHash(node, Buffer.from(sibling));
  return node.equals(Buffer.from(root));
}
