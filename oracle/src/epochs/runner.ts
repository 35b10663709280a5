import { decodeHotspotAddress } from '@poc/protocol';
import type { Sql } from 'postgres';
import { allocateEpoch, splitEmission } from '../rewards/allocate';
import { epochMappingRewards } from '../rewards/epoch-mapping';
import { buildCumulativeRewardsTree } from '@poc/protocol';
import type { ChainWriter } from '@poc/sdk';
import { lookupTreeProof, pruneTreePages, sortedByKey, storeTreePages, treePages } from './reward-tree';

export const epochStartMs = (epoch: bigint, epochSeconds: number) => Number(epoch) * epochSeconds * 1000;
export const epochOf = (ms: number, epochSeconds: number) => BigInt(Math.floor(ms / 1000 / epochSeconds));

/** Advisory-lock key space for epochs (any constant; the same in every oracle process). */
const EPOCH_LOCK = 7_150_100;
const SUBMIT_LOCK = 7_150_101;

export interface EpochOptions {
  epochSeconds: number;
  /** Base units per epoch, or a schedule (e.g. the chain's halving) — it must be a pure function of the epoch. */
  emissionPerEpoch: bigint | ((epoch: bigint) => bigint);
  /** Stored trees kept for this many epochs back (default 48), and always for the newest confirmed epoch and later. */
  keepTreeEpochs?: number;
  /** Test hook: runs inside the transaction just before commit (throwing there is a crash before commit). */
  beforeCommit?: () => void;
}

/**
 * The epoch to compute next: one past the last computed, or — on a fresh network — the epoch of the first report.
 * Null when there is nothing to compute yet.
 */
export async function nextEpoch(sql: Sql, epochSeconds: number): Promise<bigint | null> {
  const [last] = await sql<{ epoch: bigint | null }[]>`SELECT max(epoch) AS epoch FROM epochs`;
  if (last?.epoch !== null && last?.epoch !== undefined) return last.epoch + 1n;
  const [first] = await sql<{ at: Date | null }[]>`SELECT min(received_at) AS at FROM beacon_reports`;
  return first?.at ? epochOf(first.at.getTime(), epochSeconds) : null;
}

/**
 * Computes one epoch — Helium's window start < received ≤ end — in a single transaction keyed by the epoch number:
 * shares are exact integers stored with each processed report, so a crash before commit recomputes the same
 * result and a committed epoch is never computed (or paid) again.
 */
export async function computeEpoch(sql: Sql, epoch: bigint, o: EpochOptions, nowMs = Date.now()): Promise<'computed' | 'exists' | 'not_ready'> {
  const start = new Date(epochStartMs(epoch, o.epochSeconds));
  const end = new Date(epochStartMs(epoch + 1n, o.epochSeconds));
  if (nowMs < end.getTime()) return 'not_ready';
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${EPOCH_LOCK})`;
    if ((await tx`SELECT 1 FROM epochs WHERE epoch = ${String(epoch)}::bigint`).length > 0) return 'exists';
    const [prev] = await tx<{ epoch: bigint | null }[]>`SELECT max(epoch) AS epoch FROM epochs`;
    if (prev?.epoch !== null && prev?.epoch !== undefined && prev.epoch !== epoch - 1n) throw new Error(`epoch ${epoch} computed out of order after ${prev.epoch}`);
    const [pending] = await tx<{ n: bigint }[]>`SELECT count(*) AS n FROM beacon_reports WHERE status = 'pending' AND received_at <= ${end}`;
    if (pending!.n > 0n) return 'not_ready';
    // Mapper receipts of the window not yet judged would change the mapping units (oracle/README.md §Mapping rewards).
    const [pendingReceipts] = await tx<{ n: bigint }[]>`SELECT count(*) AS n FROM mapper_receipts WHERE status = 'pending' AND received_at < ${end}`;
    if (pendingReceipts!.n > 0n) return 'not_ready';

    const beaconShares = await tx<{ hotspot: string; shares: string }[]>`
      SELECT hotspot, sum(reward_shares)::text AS shares FROM beacon_reports
      WHERE status = 'valid' AND received_at > ${start} AND received_at <= ${end} AND reward_shares > 0 GROUP BY hotspot`;
    const witnessShares = await tx<{ hotspot: string; shares: string }[]>`
      SELECT w.hotspot, sum(w.reward_shares)::text AS shares FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
      WHERE w.selected AND b.status = 'valid' AND b.received_at > ${start} AND b.received_at <= ${end} AND w.reward_shares > 0 GROUP BY w.hotspot`;
    const beaconBy = new Map(beaconShares.map((r) => [r.hotspot, BigInt(r.shares)]));
    const witnessBy = new Map(witnessShares.map((r) => [r.hotspot, BigInt(r.shares)]));
    const emission = typeof o.emissionPerEpoch === 'bigint' ? o.emissionPerEpoch : o.emissionPerEpoch(epoch);
    // Mapper frames count by first receipt in [start, end) (rewards/mapping.ts); the share comes out of the witness pool.
    const mapping = await epochMappingRewards(tx, { from: start, to: end }, splitEmission(emission).witnessPool);
    const keys = [...new Set([...beaconBy.keys(), ...witnessBy.keys(), ...mapping.amounts.keys()])].sort();
    const allocation = allocateEpoch(
      emission,
      keys,
      keys.map((k) => beaconBy.get(k) ?? 0n),
      keys.map((k) => witnessBy.get(k) ?? 0n),
      mapping.mappingPool,
    );
    const totalPaid = allocation.totalPaid + mapping.paid;
    const unallocated = allocation.unallocated + mapping.unallocated;

    const previous = new Map(
      (await tx<{ hotspot: string; cumulative: string }[]>`SELECT hotspot, cumulative::text FROM reward_totals WHERE hotspot IN ${tx(keys.length ? keys : [''])}`).map(
        (r) => [r.hotspot, BigInt(r.cumulative)],
      ),
    );
    const rewardRows = keys
      .map((hotspot, i) => {
        const beaconAmount = allocation.beaconAmounts[i]!;
        const witnessAmount = allocation.witnessAmounts[i]!;
        const amount = beaconAmount + witnessAmount + (mapping.amounts.get(hotspot) ?? 0n);
        return {
          hotspot,
          beaconShares: beaconBy.get(hotspot) ?? 0n,
          witnessShares: witnessBy.get(hotspot) ?? 0n,
          beaconAmount,
          witnessAmount,
          amount,
          cumulative: (previous.get(hotspot) ?? 0n) + amount,
        };
      })
      .filter((r) => r.amount > 0n);

    await tx`
      INSERT INTO epochs (epoch, start_at, end_at, status, emission, total_paid, beacon_pool, witness_pool, unallocated, non_poc, hotspot_count)
      VALUES (${String(epoch)}::bigint, ${start}, ${end}, 'computed', ${emission.toString()}::numeric, ${totalPaid.toString()}::numeric,
              ${allocation.beaconPool.toString()}, ${allocation.witnessPool.toString()}, ${unallocated.toString()},
              ${allocation.nonPoc.toString()}, ${rewardRows.length})`;
    for (let i = 0; i < rewardRows.length; i += 5000) {
      const chunk = rewardRows.slice(i, i + 5000);
      await tx`
        INSERT INTO epoch_rewards (epoch, hotspot, beacon_shares, witness_shares, amount, cumulative, beacon_amount, witness_amount)
        SELECT ${String(epoch)}::bigint, * FROM unnest(${chunk.map((r) => r.hotspot)}::text[], ${chunk.map((r) => Number(r.beaconShares) / 1e12)}::float8[],
          ${chunk.map((r) => Number(r.witnessShares) / 1e12)}::float8[], ${chunk.map((r) => r.amount.toString())}::numeric[],
          ${chunk.map((r) => r.cumulative.toString())}::numeric[], ${chunk.map((r) => r.beaconAmount.toString())}::numeric[],
          ${chunk.map((r) => r.witnessAmount.toString())}::numeric[])`;
      await tx`
        INSERT INTO reward_totals (hotspot, pubkey, cumulative, last_epoch)
        SELECT u.h, decode(u.k, 'hex'), u.c, ${String(epoch)}::bigint
        FROM unnest(${chunk.map((r) => r.hotspot)}::text[], ${chunk.map((r) => Buffer.from(decodeHotspotAddress(r.hotspot)).toString('hex'))}::text[],
          ${chunk.map((r) => r.cumulative.toString())}::numeric[]) AS u(h, k, c)
        ON CONFLICT (hotspot) DO UPDATE SET cumulative = EXCLUDED.cumulative, last_epoch = EXCLUDED.last_epoch`;
    }

    const rows = await tx<{ pubkey: Buffer; cumulative: string }[]>`SELECT pubkey, cumulative::text FROM reward_totals ORDER BY pubkey`;
    const leaves = sortedByKey(rows.map((l) => ({ hotspotKey: l.pubkey, cumulative: BigInt(l.cumulative) })));
    const tree = buildCumulativeRewardsTree(leaves);
    // The tree is stored with the epoch, so a proof is a lookup (reward-tree.ts), never a rebuild per request.
    await storeTreePages(tx, epoch, treePages(leaves, tree.levels));
    await tx`UPDATE epochs SET merkle_root = ${tree.root}, leaf_count = ${tree.leafCount}, tree_pages = 'stored' WHERE epoch = ${String(epoch)}::bigint`;
    await pruneTreePages(tx, epoch, o.keepTreeEpochs ?? 48);
    o.beforeCommit?.();
    return 'computed';
  });
}

/** Computes every epoch that is due, in order. Returns the epochs computed in this call. */
export async function computeDueEpochs(sql: Sql, o: EpochOptions, nowMs = Date.now(), maxEpochs = 100): Promise<bigint[]> {
  const done: bigint[] = [];
  for (let i = 0; i < maxEpochs; i++) {
    const epoch = await nextEpoch(sql, o.epochSeconds);
    if (epoch === null) break;
    const result = await computeEpoch(sql, epoch, o, nowMs);
    if (result !== 'computed') break;
    done.push(epoch);
  }
  return done;
}

export interface SubmitOptions {
  /** A submission without an on-chain trace is retried only after this long (blockhash expiry is ~60–90 s). */
  resubmitAfterMs?: number;
}

/**
 * Moves the oldest unconfirmed epoch one step: computed → submitted → confirmed. Always asks the chain first, so an
 * oracle that crashed between submitting and recording the submission finds its root on chain and does not resubmit.
 * Only one oracle process submits at a time (advisory lock). Returns the epoch touched and its state.
 */
export async function advanceSubmission(sql: Sql, writer: ChainWriter, o: SubmitOptions = {}, nowMs = Date.now()): Promise<{ epoch: bigint; status: string } | null> {
  const reserved = await sql.reserve();
  try {
    const [lock] = await reserved<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(${SUBMIT_LOCK}) AS locked`;
    if (!lock?.locked) return null;
    try {
      const [row] = await reserved<{ epoch: bigint; status: string; merkle_root: Buffer; leaf_count: number; submitted_tx: string | null; submitted_at: Date | null }[]>`
        SELECT epoch, status, merkle_root, leaf_count, submitted_tx, submitted_at FROM epochs WHERE status <> 'confirmed' ORDER BY epoch LIMIT 1`;
      if (!row) return null;
      const onChain = await writer.getEpochRoot(row.epoch);
      if (onChain && Buffer.from(onChain).equals(row.merkle_root)) {
        await reserved`UPDATE epochs SET status = 'confirmed', confirmed_at = now() WHERE epoch = ${String(row.epoch)}::bigint`;
        return { epoch: row.epoch, status: 'confirmed' };
      }
      if (onChain) throw new Error(`epoch ${row.epoch}: chain holds a different root than the oracle computed`);
      if (row.submitted_tx) {
        const state = await writer.transactionState(row.submitted_tx);
        // A transaction that never lands stays "pending" for ever; after the wait its blockhash has expired.
        const waited = row.submitted_at ? nowMs - row.submitted_at.getTime() : Number.POSITIVE_INFINITY;
        if (state === 'pending' && waited < (o.resubmitAfterMs ?? 120_000)) return { epoch: row.epoch, status: 'submitted' };
        if (state === 'confirmed') {
          await reserved`UPDATE epochs SET status = 'confirmed', confirmed_at = now() WHERE epoch = ${String(row.epoch)}::bigint`;
          return { epoch: row.epoch, status: 'confirmed' };
        }
      }
      const waitMs = o.resubmitAfterMs ?? 120_000;
      if (row.submitted_at && nowMs - row.submitted_at.getTime() < waitMs && !row.submitted_tx) return { epoch: row.epoch, status: 'submitting' };
      // Record the attempt before sending, so a crash right after sending waits out the expiry instead of resending at once.
      await reserved`UPDATE epochs SET submitted_at = ${new Date(nowMs)}, submit_attempts = submit_attempts + 1, submitted_tx = NULL WHERE epoch = ${String(row.epoch)}::bigint`;
      const [total] = await reserved<{ total: string }[]>`SELECT coalesce(sum(cumulative), 0)::text AS total FROM epoch_rewards r
        WHERE (r.hotspot, r.epoch) IN (SELECT hotspot, max(epoch) FROM epoch_rewards WHERE epoch <= ${String(row.epoch)}::bigint GROUP BY hotspot)`;
      const signature = await writer.submitRewardsRoot({ epoch: row.epoch, root: row.merkle_root, leafCount: row.leaf_count, totalCumulative: BigInt(total!.total) });
      await reserved`UPDATE epochs SET status = 'submitted', submitted_tx = ${signature} WHERE epoch = ${String(row.epoch)}::bigint`;
      return { epoch: row.epoch, status: 'submitted' };
    } finally {
      await reserved`SELECT pg_advisory_unlock(${SUBMIT_LOCK})`;
    }
  } finally {
    reserved.release();
  }
}

/**
 * Cumulative total and Merkle proof for one hotspot as of `epoch` (default: the latest computed epoch), read from the
 * epoch's stored tree: a few rows whatever the number of hotspots. Null when the hotspot has no rewards by then, the
 * address is not a hotspot key, or the epoch's tree was pruned (a later epoch proves a total at least as large).
 */
export async function rewardProof(sql: Sql, hotspot: string, epoch?: bigint) {
  const [target] = epoch === undefined
    ? await sql<ProofEpoch[]>`SELECT epoch, merkle_root, status, leaf_count, tree_pages FROM epochs ORDER BY epoch DESC LIMIT 1`
    : await sql<ProofEpoch[]>`SELECT epoch, merkle_root, status, leaf_count, tree_pages FROM epochs WHERE epoch = ${String(epoch)}::bigint`;
  if (!target) return null;
  if (target.tree_pages === null) return rebuiltRewardProof(sql, target, hotspot);
  if (target.tree_pages !== 'stored') return null;
  let key: Uint8Array;
  try {
    key = decodeHotspotAddress(hotspot);
  } catch {
    return null;
  }
  const found = await lookupTreeProof(sql, target.epoch, target.leaf_count, key);
  return found && { epoch: target.epoch, status: target.status, root: target.merkle_root, cumulative: found.cumulative, proof: found.proof };
}

interface ProofEpoch {
  epoch: bigint;
  merkle_root: Buffer;
  status: string;
  leaf_count: number;
  tree_pages: string | null;
}

/** Epochs computed before their trees were stored (migration 006): rebuild the tree from epoch_rewards, as before. */
async function rebuiltRewardProof(sql: Sql, target: ProofEpoch, hotspot: string) {
  const leaves = await sql<{ hotspot: string; cumulative: string }[]>`
    SELECT DISTINCT ON (hotspot) hotspot, cumulative::text FROM epoch_rewards WHERE epoch <= ${String(target.epoch)}::bigint ORDER BY hotspot, epoch DESC`;
  const tree = buildCumulativeRewardsTree(leaves.map((l) => ({ hotspotKey: decodeHotspotAddress(l.hotspot), cumulative: BigInt(l.cumulative) })));
  const mine = leaves.find((l) => l.hotspot === hotspot);
  if (!mine) return null;
  return {
    epoch: target.epoch,
    status: target.status,
    root: tree.root,
    cumulative: BigInt(mine.cumulative),
    proof: tree.proof(decodeHotspotAddress(hotspot))!,
  };
}
