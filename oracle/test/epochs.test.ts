import { decodeHotspotAddress, generateHotspotKeypair } from '@poc/protocol';
import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceSubmission, computeEpoch, type ChainWriter, type RewardsRootSubmission } from '../src';
import { rewardShares } from '../src/rewards/reward-units';
import { verifyRewardsProof } from '@poc/protocol';
import { rewardProof } from '../src/epochs/runner';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

const EPOCH_S = 60;
const EMISSION = 1_000_000_000_003n;
const hotspots = Array.from({ length: 12 }, () => generateHotspotKeypair().address);

interface Poc {
  beaconer: string;
  witnesses: string[];
  scale: number;
  atMs: number;
}

/** Deterministic PoCs spread over epochs 100 and 101 (received at 100·60 s + offsets). */
const pocs: Poc[] = Array.from({ length: 30 }, (_, i) => ({
  beaconer: hotspots[i % hotspots.length]!,
  witnesses: [1, 2, 3, 5].slice(0, 1 + (i % 4)).map((k) => hotspots[(i + k) % hotspots.length]!),
  scale: [1, 0.5, 0.2, 0.0833][i % 4]!,
  atMs: (100 * EPOCH_S + 1 + i * 3.7) * 1000,
}));

async function insertPocs(sql: Sql, list: Poc[]): Promise<void> {
  for (const p of list) {
    const hash = randomBytes(32).toString('hex');
    const n = p.witnesses.length;
    const beaconUnit = n / 4;
    await sql`INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate,
                tx_power, tmst, signature, status, hex_scale, reward_unit, trust, reward_shares, processed_at)
              VALUES (${hash}, ${p.beaconer}, ${new Date(p.atMs)}, 0, ${randomBytes(4)}, ${randomBytes(32)}, ${randomBytes(51)}, 867900000, 4, 'SF12BW125',
                14, 0, ${randomBytes(64)}, 'valid', ${p.scale}, ${beaconUnit}, 1, ${rewardShares(p.scale, beaconUnit, 1).toString()}::bigint, now())`;
    for (const w of p.witnesses) {
      await sql`INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status,
                  beacon_hash, selected, reward_unit, trust, reward_shares, processed_at)
                VALUES (${randomBytes(32).toString('hex')}, ${w}, ${new Date(p.atMs + 200)}, 0, ${randomBytes(51)}, 0, -1000, 50, 867900000, 'SF12BW125',
                  ${randomBytes(64)}, 'valid', ${hash}, true, 1, 1, ${rewardShares(p.scale, 1, 1).toString()}::bigint, now())`;
    }
  }
}

async function epochResult(sql: Sql, epoch: bigint) {
  const [e] = await sql`SELECT epoch, total_paid::text, unallocated::text, non_poc::text, merkle_root, leaf_count, hotspot_count FROM epochs WHERE epoch = ${String(epoch)}::bigint`;
  const rewards = await sql`SELECT hotspot, amount::text, cumulative::text, beacon_amount::text, witness_amount::text FROM epoch_rewards
                            WHERE epoch = ${String(epoch)}::bigint ORDER BY hotspot`;
  return { e, rewards: rewards.map((r) => ({ ...r })) };
}

let a: TestDatabase;
let b: TestDatabase;
const options = { epochSeconds: EPOCH_S, emissionPerEpoch: EMISSION };
const after = (epoch: number) => (epoch + 1) * EPOCH_S * 1000 + 1;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await insertPocs(a.sql, pocs);
  await insertPocs(b.sql, [...pocs].reverse());
});
afterAll(async () => {
  await Promise.all([a?.drop(), b?.drop()]);
});

describe('epoch rewards', () => {
  it('waits for the epoch to end, then pays exactly the emission once', async () => {
    expect(await computeEpoch(a.sql, 100n, options, after(100) - 2)).toBe('not_ready');
    // a crash just before commit leaves nothing behind
    await expect(computeEpoch(a.sql, 100n, { ...options, beforeCommit: () => { throw new Error('killed'); } }, after(100))).rejects.toThrow('killed');
    expect(await a.sql`SELECT * FROM epochs`).toHaveLength(0);
    expect(await a.sql`SELECT * FROM reward_totals`).toHaveLength(0);
    expect(await a.sql`SELECT * FROM reward_leaf_pages`).toHaveLength(0);

    const results = await Promise.all([computeEpoch(a.sql, 100n, options, after(100)), computeEpoch(a.sql, 100n, options, after(100))]);
    expect(results.sort()).toEqual(['computed', 'exists']);
    const { e, rewards } = await epochResult(a.sql, 100n);
    const paid = rewards.reduce((s, r) => s + BigInt(r.amount), 0n);
    expect(paid).toBe(BigInt(e!.total_paid));
    expect(paid + BigInt(e!.unallocated) + BigInt(e!.non_poc)).toBe(EMISSION);
    expect(BigInt(e!.unallocated)).toBe(0n);
    expect(rewards.reduce((s, r) => s + BigInt(r.beacon_amount), 0n)).toBe((EMISSION * 16n) / 100n);
  });

  it('computes the identical result from the same reports inserted in another order (restart determinism)', async () => {
    await computeEpoch(b.sql, 100n, options, after(100));
    const [ra, rb] = [await epochResult(a.sql, 100n), await epochResult(b.sql, 100n)];
    expect(rb.rewards).toEqual(ra.rewards);
    expect(Buffer.compare(rb.e!.merkle_root, ra.e!.merkle_root)).toBe(0);
  });

  it('accumulates totals across epochs and serves verifiable proofs of the cumulative amount', async () => {
    expect(await computeEpoch(a.sql, 101n, options, after(101))).toBe('computed');
    const e100 = await epochResult(a.sql, 100n);
    const e101 = await epochResult(a.sql, 101n);
    for (const r of e101.rewards) {
      const before = e100.rewards.find((x) => x.hotspot === r.hotspot);
      expect(BigInt(r.cumulative)).toBe(BigInt(before?.cumulative ?? 0) + BigInt(r.amount));
    }
    const totals = await a.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM reward_totals`;
    expect(e101.e!.leaf_count).toBe(totals[0]!.n);
    for (const hotspot of hotspots.slice(0, 4)) {
      const proof = (await rewardProof(a.sql, hotspot, 101n))!;
      expect(Buffer.compare(proof.root, e101.e!.merkle_root)).toBe(0);
      expect(verifyRewardsProof(proof.root, { hotspotKey: decodeHotspotAddress(hotspot), cumulative: proof.cumulative }, proof.proof)).toBe(true);
    }
  });
});

/** A chain stand-in with the semantics the writer interface asks for: one root per epoch. */
class RecordingChain implements ChainWriter {
  roots = new Map<bigint, Uint8Array>();
  submissions: RewardsRootSubmission[] = [];
  landed = true;
  async getEpochRoot(epoch: bigint) {
    return this.roots.get(epoch) ?? null;
  }
  async submitRewardsRoot(s: RewardsRootSubmission) {
    this.submissions.push(s);
    if (this.landed) this.roots.set(s.epoch, s.root);
    return `sig-${this.submissions.length}`;
  }
  async transactionState(signature: string) {
    const s = this.submissions[Number(signature.slice(4)) - 1];
    return s && this.roots.has(s.epoch) ? ('confirmed' as const) : ('failed' as const);
  }
}

describe('submitting epoch roots', () => {
  it('submits each epoch once, in order, and confirms it', async () => {
    const chain = new RecordingChain();
    expect(await advanceSubmission(b.sql, chain)).toMatchObject({ epoch: 100n, status: 'submitted' });
    expect(await advanceSubmission(b.sql, chain)).toMatchObject({ epoch: 100n, status: 'confirmed' });
    expect(await advanceSubmission(b.sql, chain)).toBeNull();
    expect(chain.submissions).toHaveLength(1);
  });

  it('after a crash between sending and recording, finds the root on chain instead of sending again', async () => {
    const chain = new RecordingChain();
    const [row] = await a.sql`SELECT merkle_root, leaf_count FROM epochs WHERE epoch = 100`;
    await chain.submitRewardsRoot({ epoch: 100n, root: row!.merkle_root, leafCount: row!.leaf_count, totalCumulative: 0n }); // the lost send
    expect(await advanceSubmission(a.sql, chain)).toMatchObject({ epoch: 100n, status: 'confirmed' });
    expect(chain.submissions).toHaveLength(1);
  });

  it('waits out an unconfirmed attempt before resending, and never replaces a different on-chain root', async () => {
    const chain = new RecordingChain();
    chain.landed = false;
    const t0 = Date.now();
    expect(await advanceSubmission(a.sql, chain, { resubmitAfterMs: 60_000 }, t0)).toMatchObject({ epoch: 101n, status: 'submitted' });
    await a.sql`UPDATE epochs SET submitted_tx = NULL WHERE epoch = 101`; // as if the crash lost the signature
    expect(await advanceSubmission(a.sql, chain, { resubmitAfterMs: 60_000 }, t0 + 1000)).toMatchObject({ status: 'submitting' });
    expect(chain.submissions).toHaveLength(1);
    chain.landed = true;
    expect(await advanceSubmission(a.sql, chain, { resubmitAfterMs: 60_000 }, t0 + 61_000)).toMatchObject({ status: 'submitted' });
    expect(chain.submissions).toHaveLength(2);
    expect(await advanceSubmission(a.sql, chain, {}, t0 + 62_000)).toMatchObject({ epoch: 101n, status: 'confirmed' });

    const other = new RecordingChain();
    await b.sql`UPDATE epochs SET status = 'computed' WHERE epoch = 100`;
    other.roots.set(100n, new Uint8Array(32).fill(7));
    await expect(advanceSubmission(b.sql, other)).rejects.toThrow('different root');
  });
});
