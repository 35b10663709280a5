/**
 * Merkle tree of cumulative rewards, byte-for-byte as notes/chain_interface.md and the
 * program's `logic.rs` define it:
 *   leaf   = sha256(0x00 ‖ hotspot_key[32] ‖ u64_le(cumulative))
 *   parent = sha256(0x01 ‖ min(a,b) ‖ max(a,b))   (pair sorted bytewise)
 *   an odd node is promoted unchanged; leaves are sorted by hotspot key; a single leaf is the root.
 */
import { createHash } from 'node:crypto';

export interface RewardsEntry {
  hotspotKey: Uint8Array;
  /** Cumulative rewards since genesis, reward-mint base units (decimals 6). */
  cumulative: bigint;
}

export interface RewardsMerkleTree {
  root: Uint8Array;
  /** Entries sorted by hotspot key, as the leaves are ordered. */
  entries: RewardsEntry[];
  /** levels[0] = leaves, last level = [root]. */
  levels: Uint8Array[][];
  /** Sum of all cumulative amounts (the value submitted as `cumulative_total`). */
  totalCumulative: bigint;
  /** Sibling list for a hotspot, or null when it is not in the tree. */
  proof(hotspotKey: Uint8Array): Uint8Array[] | null;
  /** The entry of a hotspot, or null. */
  entry(hotspotKey: Uint8Array): RewardsEntry | null;
}

const U64_MAX = (1n << 64n) - 1n;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

export function u64Le(value: bigint): Uint8Array {
  if (value < 0n || value > U64_MAX) throw new RangeError(`amount ${value} does not fit in a u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

export function leafHash(hotspotKey: Uint8Array, cumulative: bigint): Uint8Array {
  if (hotspotKey.length !== 32) throw new RangeError('hotspot key must be 32 bytes');
  return sha256(Uint8Array.of(0x00), hotspotKey, u64Le(cumulative));
}

export function nodeHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [lo, hi] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  return sha256(Uint8Array.of(0x01), lo, hi);
}

/** Folds the proof onto the leaf and compares with the root (what the program does). */
export function verifyRewardsProof(root: Uint8Array, hotspotKey: Uint8Array, cumulative: bigint, proof: Uint8Array[]): boolean {
  if (proof.length > 32) return false;
  const computed = proof.reduce((acc, sibling) => nodeHash(acc, sibling), leafHash(hotspotKey, cumulative));
  return bytesEqual(computed, root);
}

export function buildRewardsMerkleTree(entries: RewardsEntry[]): RewardsMerkleTree {
  if (entries.length === 0) throw new RangeError('a rewards tree needs at least one entry');
  const sorted = [...entries].sort((a, b) => compareBytes(a.hotspotKey, b.hotspotKey));
  for (let i = 1; i < sorted.length; i++) {
    if (bytesEqual(sorted[i - 1]!.hotspotKey, sorted[i]!.hotspotKey)) throw new Error('duplicate hotspot key in rewards entries');
  }
  const levels: Uint8Array[][] = [sorted.map((e) => leafHash(e.hotspotKey, e.cumulative))];
  while (levels[levels.length - 1]!.length > 1) {
    const prev = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i < prev.length; i += 2) {
      next.push(i + 1 < prev.length ? nodeHash(prev[i]!, prev[i + 1]!) : prev[i]!);
    }
    levels.push(next);
  }
  const totalCumulative = sorted.reduce((sum, e) => sum + e.cumulative, 0n);
  if (totalCumulative > U64_MAX) throw new RangeError('total cumulative rewards overflow a u64');
  const indexOf = (key: Uint8Array) => sorted.findIndex((e) => bytesEqual(e.hotspotKey, key));
  return {
    root: levels[levels.length - 1]![0]!,
    entries: sorted,
    levels,
    totalCumulative,
    entry(key) {
      const i = indexOf(key);
      return i < 0 ? null : sorted[i]!;
    },
    proof(key) {
      let index = indexOf(key);
      if (index < 0) return null;
      const proof: Uint8Array[] = [];
      for (const level of levels.slice(0, -1)) {
        const sibling = index ^ 1;
        if (sibling < level.length) proof.push(level[sibling]!);
        index = Math.floor(index / 2);
      }
      return proof;
    },
  };
}

/** Convenience: the proof for one hotspot of a tree built from `entries`. */
export function rewardsProof(entries: RewardsEntry[], hotspotKey: Uint8Array): Uint8Array[] | null {
  return buildRewardsMerkleTree(entries).proof(hotspotKey);
}
