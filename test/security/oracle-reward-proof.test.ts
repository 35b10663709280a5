import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { computeEpoch, rewardProof } from '@poc/oracle';
import { decodeHotspotAddress, encodeHotspotAddress, verifyRewardsProof } from '@poc/protocol';
import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const EPOCH_S = 60;
const options = { epochSeconds: EPOCH_S, emissionPerEpoch: 1_000_000_000_000n };
const after = (epoch: number) => (epoch + 1) * EPOCH_S * 1000 + 1;
const hotspots = Array.from({ length: 5000 }, () => encodeHotspotAddress(randomBytes(32)));

let db: TestDatabase;

/** One valid, already verified beacon per hotspot in `epoch`, with varied integer shares. */
async function beaconsIn(sql: Sql, epoch: number, addresses: string[]): Promise<void> {
  await sql`
    INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate,
                                tx_power, tmst, signature, status, reward_shares, processed_at)
    SELECT encode(sha256(convert_to(h || ${epoch}::text, 'UTF8')), 'hex'), h, ${new Date((epoch * EPOCH_S + 5) * 1000)}, 0, '\\x00', '\\x00', '\\x00',
           867900000, 0, 'SF12BW125', 14, 0, '\\x00', 'valid', (1 + (ord * 7) % 13) * 1000, now()
    FROM unnest(${addresses}::text[]) WITH ORDINALITY AS u(h, ord)`;
}

/** Rows PostgreSQL read from user tables (sequential and index fetches) while `fn` ran, in one transaction. */
async function rowsRead<T>(fn: (sql: Sql) => Promise<T>): Promise<{ rows: number; value: T }> {
  const reserved = await db.sql.reserve();
  // The backend's pending counters may still hold earlier transactions' reads (they are flushed when idle), and
  // nothing is flushed inside a transaction: so read them before and after, in one.
  const counted = async () => {
    const [stats] = await reserved<{ rows: string }[]>`
      SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::text AS rows FROM pg_stat_xact_user_tables`;
    return Number(stats!.rows);
  };
  try {
    await reserved`BEGIN`;
    const before = await counted();
    const value = await fn(reserved);
    const rows = (await counted()) - before;
    await reserved`ROLLBACK`;
    return { rows, value };
  } finally {
    reserved.release();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await beaconsIn(db.sql, 100, hotspots.slice(0, 300));
  expect(await computeEpoch(db.sql, 100n, options, after(100))).toBe('computed');
  await beaconsIn(db.sql, 101, hotspots);
  expect(await computeEpoch(db.sql, 101n, options, after(101))).toBe('computed');
});
afterAll(async () => {
  await db?.drop();
});

/**
 * Attack: asking for reward proofs (the owners' app asks once per hotspot of an owner) made the oracle read every
 * hotspot's total and rebuild the whole tree per request — about 1.6 s at 50k hotspots × 10 epochs. Now each epoch's
 * tree is stored in pages with the epoch, and a proof reads one leaf page and one node page per 5 levels.
 */
describe('attack: reward proof requests that rebuild the Merkle tree', () => {
  it('serves proofs from the stored tree that verify against the epoch root, for the latest and an earlier epoch', async () => {
    const [e101] = await db.sql<{ merkle_root: Buffer; leaf_count: number }[]>`SELECT merkle_root, leaf_count FROM epochs WHERE epoch = 101`;
    expect(e101!.leaf_count).toBe(5000);
    for (const hotspot of [hotspots[0]!, hotspots[299]!, hotspots[300]!, hotspots[4999]!]) {
      const [expected] = await db.sql<{ cumulative: string }[]>`SELECT cumulative::text FROM epoch_rewards WHERE hotspot = ${hotspot} ORDER BY epoch DESC LIMIT 1`;
      for (const proof of [await rewardProof(db.sql, hotspot, 101n), await rewardProof(db.sql, hotspot)]) {
        expect(proof).toMatchObject({ epoch: 101n, status: 'computed', cumulative: BigInt(expected!.cumulative) });
        expect(proof!.root).toEqual(e101!.merkle_root);
        expect(verifyRewardsProof(proof!.root, { hotspotKey: decodeHotspotAddress(hotspot), cumulative: proof!.cumulative }, proof!.proof)).toBe(true);
      }
    }
    const [e100] = await db.sql<{ merkle_root: Buffer }[]>`SELECT merkle_root FROM epochs WHERE epoch = 100`;
    const early = (await rewardProof(db.sql, hotspots[7]!, 100n))!;
    expect(early.root).toEqual(e100!.merkle_root);
    expect(verifyRewardsProof(early.root, { hotspotKey: decodeHotspotAddress(hotspots[7]!), cumulative: early.cumulative }, early.proof)).toBe(true);
    expect(await rewardProof(db.sql, hotspots[4000]!, 100n)).toBeNull(); // no rewards yet in epoch 100
    expect(await rewardProof(db.sql, encodeHotspotAddress(randomBytes(32)), 101n)).toBeNull();
  });

  it('reads a handful of rows per proof whatever the number of hotspots (300 vs 5,000 leaves)', async () => {
    const small = await rowsRead((sql) => rewardProof(sql, hotspots[42]!, 100n));
    const large = await rowsRead((sql) => rewardProof(sql, hotspots[4242]!, 101n));
    expect(small.value).not.toBeNull();
    expect(large.value).not.toBeNull();
    // epochs row + one leaf page + one node page per 5 tree levels (13 levels at 5,000 leaves: 2 node pages)
    expect(large.rows).toBeLessThanOrEqual(8);
    expect(small.rows).toBeLessThanOrEqual(8);
  });

  it('keeps stored trees bounded: drops those older than the retention and than the newest confirmed epoch', async () => {
    await db.sql`UPDATE epochs SET status = 'confirmed' WHERE epoch = 101`;
    await beaconsIn(db.sql, 102, hotspots.slice(0, 10));
    expect(await computeEpoch(db.sql, 102n, { ...options, keepTreeEpochs: 1 }, after(102))).toBe('computed');
    const stored = await db.sql<{ epoch: string; tree_pages: string }[]>`SELECT epoch::text, tree_pages FROM epochs ORDER BY epoch`;
    expect(stored).toEqual([{ epoch: '100', tree_pages: 'pruned' }, { epoch: '101', tree_pages: 'stored' }, { epoch: '102', tree_pages: 'stored' }]);
    expect(await db.sql`SELECT 1 FROM reward_leaf_pages WHERE epoch = 100 UNION ALL SELECT 1 FROM reward_node_pages WHERE epoch = 100`).toHaveLength(0);
    expect(await rewardProof(db.sql, hotspots[7]!, 100n)).toBeNull();
    const confirmed = (await rewardProof(db.sql, hotspots[7]!, 101n))!;
    expect(verifyRewardsProof(confirmed.root, { hotspotKey: decodeHotspotAddress(hotspots[7]!), cumulative: confirmed.cumulative }, confirmed.proof)).toBe(true);
  });
});
