/**
 * The chain client's view of the rewards Merkle tree (leaf = sha256(0x00 ‖ key ‖ u64le(cumulative)),
 * parent = sha256(0x01 ‖ min ‖ max), odd node promoted, leaves sorted by key): the hashing and tree are
 * @poc/protocol's (packages/protocol/SPEC.md §Rewards Merkle tree); this layer adds the checks a submitted root must
 * pass (32-byte keys, u64 amounts and total, no duplicate hotspot, at least one leaf).
 */
import { buildCumulativeRewardsTree, leafHash as rewardLeafHash, parentHash, verifyRewardsProof as verifyLeafProof } from '@poc/protocol';

export interface RewardsEntry {
  hotspotKey: Uint8Array;
  /** Cumulative rewards since genesis, reward-mint base units (decimals 6). */
  cumulative: bigint;
}

export interface RewardsMerkleTree {
  root: Uint8Array;
  /** Entries sorted by hotspot key, as the leaves are ordered. */
  entries: RewardsEntry[];
  /** Sum of all cumulative amounts (the value submitted as `cumulative_total`). */
  totalCumulative: bigint;
  /** Sibling list for a hotspot, or null when it is not in the tree. */
  proof(hotspotKey: Uint8Array): Uint8Array[] | null;
  /** The entry of a hotspot, or null. */
  entry(hotspotKey: Uint8Array): RewardsEntry | null;
}

const U64_MAX = (1n << 64n) - 1n;
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function u64Le(value: bigint): Uint8Array {
  if (value < 0n || value > U64_MAX) throw new RangeError(`amount ${value} does not fit in a u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

function checkedEntry(hotspotKey: Uint8Array, cumulative: bigint): RewardsEntry {
  if (hotspotKey.length !== 32) throw new RangeError('hotspot key must be 32 bytes');
  u64Le(cumulative);
  return { hotspotKey, cumulative };
}

export function leafHash(hotspotKey: Uint8Array, cumulative: bigint): Uint8Array {
  return new Uint8Array(rewardLeafHash(checkedEntry(hotspotKey, cumulative)));
}

export function nodeHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(parentHash(asBuffer(a), asBuffer(b)));
}

/** Folds the proof onto the leaf and compares with the root (what the program does). */
export function verifyRewardsProof(root: Uint8Array, hotspotKey: Uint8Array, cumulative: bigint, proof: Uint8Array[]): boolean {
  if (proof.length > 32) return false;
  return verifyLeafProof(root, checkedEntry(hotspotKey, cumulative), proof);
}

export function buildRewardsMerkleTree(entries: RewardsEntry[]): RewardsMerkleTree {
  if (entries.length === 0) throw new RangeError('a rewards tree needs at least one entry');
  const sorted = entries.map((e) => checkedEntry(e.hotspotKey, e.cumulative)).sort((a, b) => Buffer.compare(asBuffer(a.hotspotKey), asBuffer(b.hotspotKey)));
  const byKey = new Map<string, RewardsEntry>();
  for (const e of sorted) {
    const key = asBuffer(e.hotspotKey).toString('hex');
    if (byKey.has(key)) throw new Error('duplicate hotspot key in rewards entries');
    byKey.set(key, e);
  }
  const totalCumulative = sorted.reduce((sum, e) => sum + e.cumulative, 0n);
  if (totalCumulative > U64_MAX) throw new RangeError('total cumulative rewards overflow a u64');
  const tree = buildCumulativeRewardsTree(sorted);
  return {
    root: new Uint8Array(tree.root),
    entries: sorted,
    totalCumulative,
    entry: (hotspotKey) => byKey.get(asBuffer(hotspotKey).toString('hex')) ?? null,
    proof: (hotspotKey) => tree.proof(hotspotKey)?.map((sibling) => new Uint8Array(sibling)) ?? null,
  };
}

/** Convenience: the proof for one hotspot of a tree built from `entries`. */
export function rewardsProof(entries: RewardsEntry[], hotspotKey: Uint8Array): Uint8Array[] | null {
  return buildRewardsMerkleTree(entries).proof(hotspotKey);
}
