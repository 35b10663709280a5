import { decodeHotspotAddress, verifyRewardsProof } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { computeEpoch, rewardProof } from '../src/epochs/runner';
import { rewardShares } from '../src/rewards/reward-units';
import { hotspot, seedHotspots, type TestHotspot } from './helpers';

/**
 * Epochs pay the mapping share (oracle/README.md §Mapping rewards) over real PostgreSQL: frames and receipts as the
 * oracle's frame judging leaves them, PoCs as the verifier leaves them.
 */
let db: TestDatabase;
const MINE = hotspot(latLngToCell(52.52, 13.405, 12));
const OTHER = hotspot(latLngToCell(52.523, 13.412, 12));
const OWNER_A = 'OwnerA1111111111111111111111111111111111111'; // owns MINE and device 1
const OWNER_B = 'OwnerB1111111111111111111111111111111111111'; // owns OTHER and device 3
const OWNER_C = 'OwnerC1111111111111111111111111111111111111'; // owns device 2 and no hotspot
const EPOCH_S = 3600;
const EPOCH = 490_000n;
const EMISSION = 1_000_000_000_003n; // PoC ⌊0.80 E⌋ = 800 000 000 002, beacon ⌊0.16 E⌋ = 160 000 000 000, witness 640 000 000 002
const options = { epochSeconds: EPOCH_S, emissionPerEpoch: EMISSION };
const at = (epoch: bigint, minutes: number) => new Date((Number(epoch) * EPOCH_S + minutes * 60) * 1000);
const after = (epoch: bigint) => Number(epoch + 1n) * EPOCH_S * 1000 + 1;
let frames = 0;

async function heardFrame(device: number, lat: number, lng: number, receivedAt: Date, by: TestHotspot[]) {
  const id = ++frames;
  const frame = Buffer.from([0xe0, 0x4d, id & 0xff, id >> 8]);
  await db.sql`
    INSERT INTO mapper_frames (id, frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
    VALUES (${id}, ${frame}, ${device}, ${id}, ${lat}, ${lng}, ${latLngToCell(lat, lng, 9)}, 9, 9, ${receivedAt}, 'plausible', ${by.length}, ${by.length})`;
  for (const h of by) await receipt(h, frame, device, receivedAt, 'valid', id);
}

async function receipt(h: TestHotspot, frame: Buffer, device: number, receivedAt: Date, status: string, frameId: number | null) {
  await db.sql`
    INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency, datarate, payload, status, frame_id)
    VALUES (${randomBytes(32).toString('hex')}, ${h.keys.address}, 't', ${receivedAt}, ${frame}, ${device}, 0, 0, 0, -900, 50, 868100000, 'SF9BW125',
      ${Buffer.from([0])}, ${status}, ${frameId})`;
}

/** One verified PoC: `beaconer` heard by `witness`, both at full scale, unit and trust. */
async function poc(beaconer: TestHotspot, witness: TestHotspot, receivedAt: Date) {
  const hash = randomBytes(32).toString('hex');
  await db.sql`INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate,
                tx_power, tmst, signature, status, hex_scale, reward_unit, trust, reward_shares, processed_at)
              VALUES (${hash}, ${beaconer.keys.address}, ${receivedAt}, 0, ${randomBytes(4)}, ${randomBytes(32)}, ${randomBytes(51)}, 867900000, 4, 'SF12BW125',
                14, 0, ${randomBytes(64)}, 'valid', 1, 0.25, 1, ${rewardShares(1, 0.25, 1).toString()}::bigint, now())`;
  await db.sql`INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status,
                beacon_hash, selected, reward_unit, trust, reward_shares, processed_at)
              VALUES (${randomBytes(32).toString('hex')}, ${witness.keys.address}, ${receivedAt}, 0, ${randomBytes(51)}, 0, -1000, 50, 867900000, 'SF12BW125',
                ${randomBytes(64)}, 'valid', ${hash}, true, 1, 1, ${rewardShares(1, 1, 1).toString()}::bigint, now())`;
}

async function epochRow(epoch: bigint) {
  const [e] = await db.sql<{ total_paid: string; unallocated: string; non_poc: string; beacon_pool: string; witness_pool: string; merkle_root: Buffer }[]>`
    SELECT total_paid::text, unallocated::text, non_poc::text, beacon_pool::text, witness_pool::text, merkle_root FROM epochs WHERE epoch = ${String(epoch)}::bigint`;
  const rows = await db.sql<{ hotspot: string; amount: string; cumulative: string; beacon_amount: string; witness_amount: string }[]>`
    SELECT hotspot, amount::text, cumulative::text, beacon_amount::text, witness_amount::text FROM epoch_rewards WHERE epoch = ${String(epoch)}::bigint`;
  const rewards = new Map(rows.map((r) => [r.hotspot, r]));
  const mappingOf = (h: TestHotspot) => {
    const r = rewards.get(h.keys.address);
    return r ? BigInt(r.amount) - BigInt(r.beacon_amount) - BigInt(r.witness_amount) : 0n;
  };
  return { e: e!, rewards, mappingOf, paid: rows.reduce((s, r) => s + BigInt(r.amount), 0n) };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedHotspots(db.sql, [MINE, OTHER]);
  await db.sql`UPDATE hotspots SET owner = ${OWNER_A} WHERE address = ${MINE.keys.address}`;
  await db.sql`UPDATE hotspots SET owner = ${OWNER_B} WHERE address = ${OTHER.keys.address}`;
  for (const [device, owner] of [[1, OWNER_A], [2, OWNER_C], [3, OWNER_B]] as const) {
    await db.sql`INSERT INTO mapper_devices (device_id, owner, sealed_key, registration_signature, issued_at) VALUES (${device}, ${owner}, ${Buffer.alloc(76)}, ${Buffer.alloc(64)}, now())`;
  }
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

describe('epochs pay the mapping share', () => {
  it('takes the mapping pool from the witness pool and pays carrying hotspots and device owners, not self-dealing pairs, exactly', async () => {
    await poc(OTHER, MINE, at(EPOCH, 1)); // beacon pool → OTHER, witness pool → MINE
    await heardFrame(1, 52.521, 13.408, at(EPOCH, 2), [MINE]); // A's device past A's hotspot only: nothing for either
    await heardFrame(1, 52.525, 13.42, at(EPOCH, 3), [MINE, OTHER]); // OTHER 1 cell; A 1 cell; MINE nothing (A's own)
    await heardFrame(2, 52.53, 13.43, at(EPOCH, 4), [MINE]); // MINE 1 cell; C 1 cell (C has no hotspot)
    await heardFrame(3, 52.54, 13.44, at(EPOCH, 5), [MINE, OTHER]); // MINE 1 cell; B 1 cell; OTHER nothing (B's own)
    await heardFrame(2, 52.55, 13.45, at(EPOCH + 1n, 5), [OTHER]); // next epoch

    expect(await computeEpoch(db.sql, EPOCH, options, after(EPOCH))).toBe('computed');
    const { e, mappingOf, rewards, paid } = await epochRow(EPOCH);
    // Mapping pool ⌊640 000 000 002 / 10⌋ = 64 000 000 000: half to hotspots (MINE 2 cells, OTHER 1), half to owners (A, B, C 1 cell each).
    expect(e.witness_pool).toBe('576000000002');
    expect(BigInt(rewards.get(MINE.keys.address)!.witness_amount)).toBe(576_000_000_002n);
    expect(BigInt(rewards.get(OTHER.keys.address)!.beacon_amount)).toBe(160_000_000_000n);
    // Hotspots: 32e9 · 2/3 = 21 333 333 333 r 1 and 32e9 · 1/3 = 10 666 666 666 r 2 → OTHER takes the spare unit.
    // Owners: 10 666 666 666 r 2 each; two spare units to A and B (key order); A is paid through MINE, B through OTHER.
    expect(mappingOf(MINE)).toBe(21_333_333_333n + 10_666_666_667n);
    expect(mappingOf(OTHER)).toBe(10_666_666_667n + 10_666_666_667n);
    // C owns no hotspot, so there is no leaf to pay him through: his 10 666 666 666 is unallocated.
    expect(e.unallocated).toBe('10666666666');
    expect(paid).toBe(BigInt(e.total_paid));
    expect(paid + BigInt(e.unallocated) + BigInt(e.non_poc)).toBe(EMISSION);
  });

  it('waits for pending mapper receipts, pays a hotspot with only mapping rewards, and accumulates totals with proofs', async () => {
    const next = EPOCH + 1n;
    await receipt(MINE, Buffer.from([0xe0, 0x4d, 0xff, 0xff]), 2, at(next, 50), 'pending', null);
    expect(await computeEpoch(db.sql, next, options, after(next))).toBe('not_ready');
    await db.sql`UPDATE mapper_receipts SET status = 'invalid', reason = 'bad_mic' WHERE status = 'pending'`;
    expect(await computeEpoch(db.sql, next, options, after(next))).toBe('computed');

    const before = await epochRow(EPOCH);
    const { e, mappingOf, rewards, paid } = await epochRow(next);
    // Only C's frame heard by OTHER: OTHER takes the hotspot half; C's half and both PoC pools (no PoCs) are unallocated.
    expect(mappingOf(OTHER)).toBe(32_000_000_000n);
    expect([...rewards.keys()]).toEqual([OTHER.keys.address]);
    expect(e.unallocated).toBe(String(32_000_000_000n + 160_000_000_000n + 576_000_000_002n));
    expect(paid + BigInt(e.unallocated) + BigInt(e.non_poc)).toBe(EMISSION);
    const cumulative = BigInt(before.rewards.get(OTHER.keys.address)!.cumulative) + 32_000_000_000n;
    expect(rewards.get(OTHER.keys.address)!.cumulative).toBe(String(cumulative));

    for (const h of [MINE, OTHER]) {
      const proof = (await rewardProof(db.sql, h.keys.address, next))!;
      expect(proof.cumulative).toBe(BigInt(h === OTHER ? cumulative : before.rewards.get(MINE.keys.address)!.cumulative));
      expect(verifyRewardsProof(e.merkle_root, { hotspotKey: decodeHotspotAddress(h.keys.address), cumulative: proof.cumulative }, proof.proof)).toBe(true);
    }
  });

  it('leaves the witness pool whole in an epoch without mapper frames', async () => {
    const quiet = EPOCH + 2n;
    await poc(MINE, OTHER, at(quiet, 1));
    expect(await computeEpoch(db.sql, quiet, options, after(quiet))).toBe('computed');
    const { e, mappingOf } = await epochRow(quiet);
    expect(e.witness_pool).toBe('640000000002');
    expect(e.unallocated).toBe('0');
    expect(mappingOf(MINE) + mappingOf(OTHER)).toBe(0n);
  });
});
