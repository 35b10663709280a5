import { connectDatabase, type Database } from '@poc/db';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { buildMapperServer } from '@poc/mapper';
import { hotspot, mapperOwner, processMapperFrames, processMapperLogs, registerMapperDevice, seedHotspots, storeMapperReceipts } from '@poc/oracle/testing';
import {
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  keySealKeypairFromSecret,
  mapperReceiptTopic,
  signMapperLog,
  signMapperReceipt,
  type MapperLogEntry,
  walletAddressOfKey,
} from '@poc/protocol';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Mapper log uploads (mapper/README.md §Mapper logs) against a real mapper server over HTTP and real PostgreSQL: an
 * honest log turns its unheard frames into measured no-signal once the oracle judges it; tampered logs are refused
 * with their reasons and recorded; forged frames in a signed log never count; size, count and rate are bounded.
 */
let db: TestDatabase;
let serverSql: Database;
let app: FastifyInstance;
let base: string;
const keySeal = keySealKeypairFromSecret(randomBytes(32));
const DEVICE_ID = 0x00beef01;
const deviceKey = randomBytes(16);
const { keys: owner, address: ownerAddress, registration } = mapperOwner(keySeal.publicKey);
const stranger = generateKeyPairSync('ed25519');
const A = hotspot(latLngToCell(52.52, 13.405, 12));
const T0 = Date.now() - 30 * 60_000; // the drive began half an hour ago

const point = (i: number): [number, number] => [52.521 + i * 0.004, 13.408];
const frameAt = (counter: number, [lat, lng]: [number, number], key: Uint8Array = deviceKey) =>
  encodeMapperFrame({ deviceId: DEVICE_ID, counter, latE7: Math.round(lat * 1e7), lngE7: Math.round(lng * 1e7), hdopDeci: 9, satellites: 9 }, key);
const entry = (counter: number, key?: Uint8Array): MapperLogEntry => ({ counter, sentAtMs: T0 + counter * 10_000, frame: frameAt(counter, point(counter), key) });

function upload(entries: MapperLogEntry[], o: { signer?: KeyObject; as?: string; deviceId?: number; uploadedAt?: number } = {}) {
  return signMapperLog({ deviceId: o.deviceId ?? DEVICE_ID, owner: o.as ?? ownerAddress, uploadedAt: o.uploadedAt ?? Math.floor(Date.now() / 1000), entries }, o.signer ?? owner.privateKey);
}
async function post(body: unknown, deviceId = DEVICE_ID) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(`${base}/v1/mappers/${deviceId}/log`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { details?: { index: number; reason: string }[] } };
}
type Answer = { source: string; covered: boolean; measurements: { count: number; last_at: string } | null };
/** Point answers of the carriers' API at the route's points, from a server that loaded the measurements now. */
async function carrierAnswers(counters: number[], query = ''): Promise<Answer[]> {
  const carriers = await buildMapperServer({ sql: serverSql, coverageIndex: false, estimates: false, requireApiKey: false, mapperMeasurements: 'await' });
  try {
    const out: Answer[] = [];
    for (const c of counters) {
      const [lat, lng] = point(c);
      const r = await carriers.inject({ url: `/v1/coverage/point?lat=${lat}&lng=${lng}${query}` });
      expect(r.statusCode).toBe(200);
      out.push(r.json());
    }
    return out;
  } finally {
    await carriers.close();
  }
}
async function recorded(reason: string) {
  return db.sql<{ status: string; detail: unknown; entry_count: number }[]>`SELECT status, detail, entry_count FROM mapper_log_uploads WHERE reason = ${reason} ORDER BY id`;
}

/** Frames 1 and 2 are heard by hotspot A, as the oracle stores and judges them from A's signed receipts. */
async function hotspotHears(counter: number) {
  const receipt = signMapperReceipt(
    { pub_key: A.keys.address, frame: frameAt(counter, point(counter)), timestamp: BigInt(T0 + counter * 10_000 + 50) * 1_000_000n, tmst: 1000 + counter, signal: -900, snr: 50, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
    A.keys.privateKeyObject,
  );
  await storeMapperReceipts(db.sql, [{ topic: mapperReceiptTopic('EU868', A.keys.address), payload: encodeMapperReceiptPayload(receipt), receivedAt: new Date(T0 + counter * 10_000 + 200) }]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedHotspots(db.sql, [A]);
  expect(await registerMapperDevice(db.sql, JSON.stringify(registration(DEVICE_ID, deviceKey)), { keySeal })).toMatchObject({ ok: true });
  await hotspotHears(1);
  await hotspotHears(2);
  const verdicts = await processMapperFrames(db.sql, { keySeal, now: new Date() });
  expect(verdicts.map((v) => v.status)).toEqual(['plausible', 'plausible']);
  serverSql = connectDatabase(db.url, { max: 2 });
  app = await buildMapperServer({ sql: serverSql, coverageIndex: false, estimates: false, mapperLogRateLimitPerMinute: 40 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await serverSql?.end({ timeout: 5 });
  await db?.drop();
});

describe('mapper log uploads', () => {
  it('an honest log is accepted; its unheard frames become measured no-signal at their cells after the grace period', async () => {
    const log = [1, 2, 3, 4].map((c) => entry(c));
    const accepted = await post(upload(log));
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ accepted: 4, new_entries: 4, already_uploaded: 0 });
    // Within the grace period nothing is judged (receipts may still be queued in bridges).
    expect(await processMapperLogs(db.sql, { keySeal, now: new Date(T0 + 60_000), graceMs: 600_000 })).toEqual({ heard: 0, noSignal: 0, invalid: 0 });
    expect(await processMapperLogs(db.sql, { keySeal, graceMs: 600_000 })).toEqual({ heard: 2, noSignal: 2, invalid: 0 });
    const rows = await db.sql<{ counter: number; status: string; h3: string }[]>`SELECT counter::int, status, h3 FROM mapper_log_entries ORDER BY counter`;
    expect(rows).toEqual([1, 2, 3, 4].map((c) => ({ counter: c, status: c <= 2 ? 'heard' : 'no_signal', h3: latLngToCell(...point(c), 9) })));
    // Uploading the same log again stores nothing new.
    expect((await post(upload(log))).json).toMatchObject({ accepted: 4, new_entries: 0, already_uploaded: 4 });

    // The carriers' answers: heard cells are measured by a mapper, unheard ones measured no-signal, with count and age.
    const answers = await carrierAnswers([1, 3, 4]);
    expect(answers.map((a) => a.source)).toEqual(['mapper', 'measured_no_signal', 'measured_no_signal']);
    expect(answers.map((a) => [a.covered, a.measurements?.count])).toEqual([[true, 1], [false, 1], [false, 1]]);
    expect(answers[1]!.measurements!.last_at).toBe(new Date(T0 + 30_000).toISOString());
    // Rule: measured covered wins over no-signal in the same window — a late receipt for frame 3 flips its cell.
    await hotspotHears(3);
    expect((await processMapperFrames(db.sql, { keySeal, now: new Date() })).map((v) => v.status)).toEqual(['plausible']);
    expect((await carrierAnswers([3, 4])).map((a) => a.source)).toEqual(['mapper', 'measured_no_signal']);
    // A window that ends before the drive has neither.
    const before = new Date(T0 - 2 * 86_400_000).toISOString();
    expect((await carrierAnswers([4], `&as_of=${before}`)).map((a) => [a.source, a.measurements])).toEqual([['unmapped', null]]);
  });

  it('attack: an entry whose position was altered after hotspots heard the frame is refused (conflicts_received_frame) and recorded', async () => {
    // The owner holds the key, so the altered frame even carries a valid MIC; the hotspots' receipts give it away.
    const tampered = { counter: 2, sentAtMs: T0 + 20_000, frame: frameAt(2, [52.6, 13.5]) };
    const r = await post(upload([entry(1), tampered, entry(5)]));
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('conflicts_received_frame');
    expect(r.json.details).toEqual([{ index: 1, counter: 2, reason: 'conflicts_received_frame', detail: expect.any(String) }]);
    const [row] = await recorded('conflicts_received_frame');
    expect(row).toMatchObject({ status: 'rejected', entry_count: 3, detail: [{ index: 1, counter: 2, reason: 'conflicts_received_frame' }] });
    const [stored] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mapper_log_entries WHERE counter = 5`;
    expect(stored!.n).toBe(0); // nothing of a refused log is kept
  });

  it('attack: send times inconsistent with what hotspots received, and counters out of order, are refused with their reasons', async () => {
    // Frame 2 was received at T0 + 20.2 s; a log claiming it was sent ten minutes later is not the device's log.
    const late = await post(upload([{ ...entry(2), sentAtMs: T0 + 20_000 + 600_000 }]));
    expect([late.status, late.json.error]).toEqual([422, 'time_inconsistent_with_received']);
    const reordered = await post(upload([entry(7), entry(6)]));
    expect(reordered.json.details?.map((d) => [d.index, d.reason])).toEqual([[1, 'counter_not_increasing']]);
    const bits = await post(upload([{ ...entry(8), counter: 9 }]));
    expect(bits.json.error).toBe('counter_mismatch');
    const future = await post(upload([{ ...entry(9), sentAtMs: Date.now() + 3_600_000 }]));
    expect(future.json.error).toBe('sent_in_future');
    const other = await post(upload([{ counter: 9, sentAtMs: T0, frame: encodeMapperFrame({ deviceId: 77, counter: 9, latE7: 0, lngE7: 0, hdopDeci: 9, satellites: 9 }, deviceKey) }]));
    expect(other.json.error).toBe('frame_device_mismatch');
    expect((await recorded('time_inconsistent_with_received')).length).toBe(1);
    expect((await recorded('counter_not_increasing')).length).toBe(1);
  });

  it("attack: a log signed by someone other than the owner, or altered after signing, is refused and recorded", async () => {
    const signed = upload([entry(10)]);
    const altered = { ...signed, entries: [{ ...signed.entries[0]!, sent_at_ms: signed.entries[0]!.sent_at_ms + 1 }] };
    expect((await post(altered)).json).toMatchObject({ error: 'bad_signature' });
    expect((await post(upload([entry(10)], { signer: stranger.privateKey }))).status).toBe(401);
    expect((await post(upload([entry(10)], { signer: stranger.privateKey, as: walletAddressOfKey(stranger.publicKey) }))).json.error).toBe('not_owner');
    expect((await post(upload([entry(10)], { uploadedAt: Math.floor(Date.now() / 1000) - 3600 }))).json.error).toBe('stale_upload');
    expect((await post(upload([entry(10)]), DEVICE_ID + 1)).json.error).toBe('unknown_device');
    expect((await recorded('bad_signature')).length).toBe(2);
    expect((await recorded('not_owner')).length).toBe(1);
  });

  it('attack: a frame the device never sent (no valid MIC) in an owner-signed log is invalid, never no-signal', async () => {
    const forged = entry(11, randomBytes(16));
    expect((await post(upload([forged]))).status).toBe(202);
    expect(await processMapperLogs(db.sql, { keySeal, graceMs: 600_000 })).toEqual({ heard: 0, noSignal: 0, invalid: 1 });
    const [row] = await db.sql<{ status: string; reason: string }[]>`SELECT status, reason FROM mapper_log_entries WHERE counter = 11`;
    expect(row).toEqual({ status: 'invalid', reason: 'bad_mic' });
  });

  it('attack: oversize bodies, too many entries and malformed JSON are refused without parsing them whole; uploads are rate limited', async () => {
    const tooMany = await post(upload(Array.from({ length: 501 }, (_, i) => entry(1000 + i))));
    expect([tooMany.status, tooMany.json.error]).toEqual([400, 'invalid_request']);
    expect(String(tooMany.json.message)).toContain('entries');
    const huge = await post({ ...upload([entry(12)]), padding: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect((await post('{"device_id": ')).status).toBe(400);
    // Both refusals that reached the handler for a registered device are recorded; the byte-bound and JSON ones never do.
    expect((await recorded('invalid_request')).length).toBe(1);
    let limited = 0;
    for (let i = 0; i < 45 && limited === 0; i++) if ((await post('{}')).status === 429) limited = i;
    expect(limited).toBeGreaterThan(0);
  });
});

describe("the map's mapper endpoints", () => {
  it('attack: bad boxes, resolutions and cells are refused with 400; a world-sized box answers bounded', async () => {
    const get = async (url: string) => {
      const r = await fetch(`${base}${url}`);
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    expect((await get('/api/v1/mapper-hexes?bbox=1,2,3&res=9')).status).toBe(400);
    expect((await get('/api/v1/mapper-hexes?bbox=10,60,0,50&res=9')).status).toBe(400);
    expect((await get('/api/v1/mapper-hexes?bbox=0,0,1,1&res=16')).status).toBe(400);
    expect((await get("/api/v1/hexes/'%20OR%201=1/mapper")).status).toBe(400);
    const world = await get('/api/v1/mapper-hexes?bbox=-180,-90,180,90&res=4');
    expect(world.status).toBe(200);
    expect(world.json).toMatchObject({ resolution: 4, truncated: false });
    const cell = await get(`/api/v1/hexes/${latLngToCell(...point(1), 9)}/mapper`);
    expect((cell.json.frames as { heard_by: { hotspot: string }[] }[])[0]!.heard_by.map((h) => h.hotspot)).toEqual([A.keys.address]);
  });
});
