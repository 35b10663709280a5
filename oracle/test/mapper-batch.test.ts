import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import {
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  keySealKeypairFromSecret,
  mapperReceiptTopic,
  signMapperReceipt,
} from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../src/ingest/decode';
import { hotspot, mapperOwner, processMapperFrames, registerMapperDevice, seedHotspots, storeMapperReceipts, type TestHotspot } from './helpers';

/**
 * Frame judging in batches (oracle/README.md §Mappers) over real PostgreSQL: many frames of several devices share one
 * transaction, and each frame's verdict is the one it gets when the frames are judged one at a time in arrival order.
 */
let db: TestDatabase;
const keySeal = keySealKeypairFromSecret(randomBytes(32));
const { keys: owner, address: ownerAddress, registration } = mapperOwner(keySeal.publicKey);
const A = hotspot(latLngToCell(52.52, 13.405, 12));
const B = hotspot(latLngToCell(52.523, 13.412, 12));
const keys = new Map<number, Uint8Array>();
const T0 = Date.now() - 3_600_000;
const at = (s: number) => new Date(T0 + s * 1000);
let tmst = 1_000;

async function register(deviceId: number) {
  const key = randomBytes(16);
  keys.set(deviceId, key);
  expect(await registerMapperDevice(db.sql, JSON.stringify(registration(deviceId, key)), { keySeal })).toMatchObject({ ok: true });
}

type FrameSpec = { deviceId: number; counter: number; lat?: number; lng?: number; satellites?: number; key?: Uint8Array };
const frameOf = (f: FrameSpec) =>
  encodeMapperFrame(
    { deviceId: f.deviceId, counter: f.counter, latE7: Math.round((f.lat ?? 52.521) * 1e7), lngE7: Math.round((f.lng ?? 13.408) * 1e7), hdopDeci: 9, satellites: f.satellites ?? 9 },
    f.key ?? keys.get(f.deviceId) ?? randomBytes(16),
  );

/** The signed receipt message hotspot `h` sends for `frame`, received at `second` after T0 (a weak, honest reading). */
function receipt(h: TestHotspot, frame: Uint8Array, second: number, signal = -1100): IncomingMessage {
  const r = signMapperReceipt(
    { pub_key: h.keys.address, frame, timestamp: BigInt(at(second).getTime()) * 1_000_000n, tmst: (tmst += 977), signal, snr: 20, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
    h.keys.privateKeyObject,
  );
  return { topic: mapperReceiptTopic('EU868', h.keys.address), payload: encodeMapperReceiptPayload(r), receivedAt: at(second) };
}
const heardByBoth = (frame: Uint8Array, second: number) => [receipt(A, frame, second), receipt(B, frame, second + 0.2)];
const judgeAll = (maxFrames?: number, maxReceiptsPerTransaction?: number) => processMapperFrames(db.sql, { keySeal, now: new Date(), maxFrames, maxReceiptsPerTransaction });

async function frameRow(frame: Uint8Array) {
  const [row] = await db.sql<{ status: string; reason: string | null; counter: string | null }[]>`
    SELECT status, reason, counter::text FROM mapper_frames WHERE frame = ${Buffer.from(frame)}`;
  return row;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedHotspots(db.sql, [A, B]);
  for (const d of [11, 12, 13, 21, 22, 23, 31, 41, 51]) await register(d);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe('mapper frames judged in batches', () => {
  it('frames of several devices, interleaved, in one call: each device counts on from its own counter and fix', async () => {
    const cells = new Set<string>();
    const messages: IncomingMessage[] = [];
    for (let step = 0; step < 3; step++) {
      for (const d of [11, 12, 13]) {
        const f = frameOf({ deviceId: d, counter: step + 1, lat: 52.521 + step * 0.0005, lng: 13.408 + (d - 11) * 0.002 });
        cells.add(latLngToCell(52.521 + step * 0.0005, 13.408 + (d - 11) * 0.002, 9));
        messages.push(...heardByBoth(f, step * 30 + (d - 11)));
      }
    }
    expect((await storeMapperReceipts(db.sql, messages)).stored).toBe(18);

    const verdicts = await judgeAll();
    expect(verdicts).toHaveLength(9);
    expect(verdicts.map((v) => v.status)).toEqual(Array(9).fill('plausible'));
    expect(verdicts.every((v) => v.measuredBy.length === 2)).toBe(true);
    // Ids follow the judging order (oldest first receipt first).
    expect(verdicts.map((v) => v.frameId)).toEqual([...verdicts.map((v) => v.frameId)].sort((a, b) => a - b));
    const devices = await db.sql<{ device_id: string; last_counter: string; last_lat: number }[]>`
      SELECT device_id::text, last_counter::text, last_lat FROM mapper_devices WHERE device_id IN (11, 12, 13) ORDER BY device_id`;
    expect(devices.map((d) => [d.device_id, d.last_counter, d.last_lat])).toEqual([['11', '3', 52.522], ['12', '3', 52.522], ['13', '3', 52.522]]);
    const [coverage] = await db.sql<{ n: number }[]>`
      SELECT coalesce(sum(witness_count), 0)::int AS n FROM coverage_hex_hotspots WHERE source = 'mapper' AND h3 = ANY(${[...cells]}::text[])`;
    expect(coverage!.n).toBe(18); // one measurement per frame and hotspot
    const [receipts] = await db.sql<{ valid: number }[]>`SELECT count(*) FILTER (WHERE status = 'valid')::int AS valid FROM mapper_receipts WHERE device_id IN (11, 12, 13)`;
    expect(receipts!.valid).toBe(18);
  });

  it('counters out of order within one batch are judged in arrival order: the older counter is counter_reordered, as one by one', async () => {
    const second = frameOf({ deviceId: 21, counter: 2 });
    const first = frameOf({ deviceId: 21, counter: 1 });
    const third = frameOf({ deviceId: 21, counter: 3, lat: 52.5212 });
    await storeMapperReceipts(db.sql, [...heardByBoth(second, 1000), ...heardByBoth(first, 1001), ...heardByBoth(third, 1030)]);

    const verdicts = await judgeAll();
    expect(verdicts.map((v) => [v.status, v.reason])).toEqual([['plausible', null], ['rejected', 'counter_reordered'], ['plausible', null]]);
    expect(await frameRow(first)).toMatchObject({ status: 'rejected', reason: 'counter_reordered', counter: null });
    expect(await frameRow(third)).toMatchObject({ status: 'plausible', counter: '3' });
    const [device] = await db.sql<{ last_counter: string }[]>`SELECT last_counter::text FROM mapper_devices WHERE device_id = 21`;
    expect(device!.last_counter).toBe('3');
  });

  it('duplicate receipts in one batch are refused at ingest; the same frame sent again is a straggler or a replay, and the counter never counts twice', async () => {
    const f = frameOf({ deviceId: 22, counter: 5 });
    const [fromA, fromB] = heardByBoth(f, 1100);
    const againFromA = receipt(A, f, 1100.5, -1090); // another receipt of the same frame from the same hotspot
    const stored = await storeMapperReceipts(db.sql, [fromA!, fromB!, fromA!, againFromA]);
    expect(stored.stored).toBe(2);
    expect(stored.rejected.map((r) => r.reason)).toEqual(['duplicate_receipt', 'duplicate_receipt']);
    expect((await storeMapperReceipts(db.sql, [fromB!])).rejected.map((r) => r.reason)).toEqual(['duplicate_receipt']);

    // The same frame bytes once more, from hotspots that had not sent them, beside a fresh frame of the same device.
    const C = hotspot(latLngToCell(52.522, 13.409, 12));
    const D = hotspot(latLngToCell(52.5225, 13.41, 12));
    await seedHotspots(db.sql, [C, D]);
    const next = frameOf({ deviceId: 22, counter: 6 });
    expect((await judgeAll()).map((v) => v.status)).toEqual(['plausible']);
    await storeMapperReceipts(db.sql, [receipt(C, f, 1130), receipt(D, f, 1200), ...heardByBoth(next, 1201)]);
    const verdicts = await judgeAll();
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]!.refusedReceipts.map((r) => [r.hotspot, r.reason])).toEqual([[C.keys.address, 'late_receipt'], [D.keys.address, 'replayed_frame']]);
    expect(verdicts[1]).toMatchObject({ status: 'plausible', reason: null });
    const [rejected] = await db.sql<{ n: number }[]>`SELECT coalesce(sum(count), 0)::int AS n FROM rejected_messages WHERE reason IN ('late_receipt', 'replayed_frame')`;
    expect(rejected!.n).toBe(2);
  });

  it('a rejection in the middle of a batch leaves the frames around it as they would be alone', async () => {
    const messages = [
      ...heardByBoth(frameOf({ deviceId: 23, counter: 1 }), 1300),
      ...heardByBoth(frameOf({ deviceId: 31, counter: 1, key: randomBytes(16) }), 1301), // forged: bad_mic
      ...heardByBoth(frameOf({ deviceId: 999, counter: 1 }), 1302), // never registered
      ...heardByBoth(frameOf({ deviceId: 41, counter: 1, satellites: 2 }), 1303), // poor fix
      ...heardByBoth(frameOf({ deviceId: 23, counter: 2, lat: 52.9 }), 1330), // 42 km in 30 s
      [receipt(A, frameOf({ deviceId: 51, counter: 1 }), 1331, -200)], // -20 dBm 300 m away: position implausible
      ...heardByBoth(frameOf({ deviceId: 23, counter: 3, lat: 52.5212 }), 1360),
    ].flat();
    await storeMapperReceipts(db.sql, messages);
    const verdicts = await judgeAll();
    expect(verdicts.map((v) => [v.status, v.reason])).toEqual([
      ['plausible', null],
      ['rejected', 'bad_mic'],
      ['rejected', 'unknown_device'],
      ['implausible', 'poor_gps_fix'],
      ['implausible', 'implausible_speed'],
      ['implausible', 'position_implausible'],
      ['plausible', null],
    ]);
    // The implausible move still moved the counter on; the speed check compared with the last plausible fix.
    const [device] = await db.sql<{ last_counter: string; last_lat: number }[]>`SELECT last_counter::text, last_lat FROM mapper_devices WHERE device_id = 23`;
    expect(device).toEqual({ last_counter: '3', last_lat: 52.5212 });
    const reasons = await db.sql<{ reason: string; n: number }[]>`
      SELECT reason, sum(count)::int AS n FROM rejected_messages WHERE reason IN ('bad_mic', 'unknown_device', 'poor_gps_fix', 'implausible_speed', 'signal_too_strong_for_distance')
      GROUP BY reason ORDER BY reason`;
    expect(Object.fromEntries(reasons.map((r) => [r.reason, r.n]))).toEqual({ bad_mic: 2, unknown_device: 2, poor_gps_fix: 2, implausible_speed: 2, signal_too_strong_for_distance: 1 });
  });

  it('the same frames judged in small batches or one at a time get the same verdicts; two judges at once judge each frame once', async () => {
    const build = (deviceId: number, base: number) => {
      const f = (counter: number, lat: number, second: number) => heardByBoth(frameOf({ deviceId, counter, lat }), base + second);
      return [...f(3, 52.521, 0), ...f(2, 52.521, 1), ...f(4, 52.6, 30), ...f(5, 52.5212, 60), ...f(6, 52.5214, 90)];
    };
    for (const d of [61, 62, 63]) await register(d);
    await storeMapperReceipts(db.sql, build(61, 2000));
    const oneByOne = [];
    for (let v = await judgeAll(1); v.length > 0; v = await judgeAll(1)) oneByOne.push(...v);
    await storeMapperReceipts(db.sql, build(62, 2500));
    const batched = await judgeAll();
    expect(batched.map((v) => [v.status, v.reason])).toEqual(oneByOne.map((v) => [v.status, v.reason]));
    expect(batched.map((v) => v.status)).toEqual(['plausible', 'rejected', 'implausible', 'plausible', 'plausible']);

    await storeMapperReceipts(db.sql, build(63, 3000));
    const [first, second] = await Promise.all([judgeAll(), judgeAll()]);
    const all = [...first!, ...second!];
    expect(new Set(all.map((v) => v.frameId)).size).toBe(all.length);
    const [frames] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mapper_frames WHERE device_id = 63`;
    expect(frames!.n).toBe(5);
    const [pending] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mapper_receipts WHERE device_id = 63 AND status = 'pending'`;
    expect(pending!.n).toBe(0);
  });

  it('a transaction holds whole frames up to the receipt bound; frames beyond it go in the next, judged the same', async () => {
    await register(71);
    const messages = [0, 1, 2, 3, 4].flatMap((i) => heardByBoth(frameOf({ deviceId: 71, counter: i + 1, lat: 52.521 + i * 0.0002 }), 3200 + i * 30));
    await storeMapperReceipts(db.sql, messages);
    const verdicts = await judgeAll(undefined, 5); // two frames (4 receipts) per transaction
    expect(verdicts.map((v) => v.status)).toEqual(Array(5).fill('plausible'));
    // processed_at is the transaction's start time: three transactions for five frames of two receipts each.
    const [transactions] = await db.sql<{ n: number }[]>`SELECT count(DISTINCT processed_at)::int AS n FROM mapper_frames WHERE device_id = 71`;
    expect(transactions!.n).toBe(3);
  });
});
