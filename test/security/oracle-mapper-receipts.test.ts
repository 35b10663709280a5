import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startOracle, type RunningOracle } from '@poc/oracle';
import { connectClient, hotspot, mapperOwner, processMapperFrames, registerMapperDevice, seedHotspots, testOracleConfig, waitFor, type TestHotspot } from '@poc/oracle/testing';
import {
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  generateHotspotKeypair,
  keySealKeypairFromSecret,
  mapperReceiptTopic,
  signMapperReceipt,
  walletAddressOfKey,
} from '@poc/protocol';
import { cellToParent, latLngToCell } from 'h3-js';
import type { MqttClient } from 'mqtt';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Mapper receipts end to end through a real broker into real PostgreSQL (oracle/README.md §Mappers): an honest drive
 * becomes 'mapper' coverage at the device's cells for the hotspots that heard it; forged, replayed, re-ordered,
 * spoofed and relayed frames are each refused with their reason.
 */
let db: TestDatabase;
let broker: EmbeddedBroker;
let oracle: RunningOracle;
let client: MqttClient;
const keySeal = keySealKeypairFromSecret(randomBytes(32));
const DEVICE_ID = 0x00c0ffee;
const deviceKey = randomBytes(16);
const { keys: owner, address: ownerAddress, registration } = mapperOwner(keySeal.publicKey);

const at = (lat: number, lng: number) => latLngToCell(lat, lng, 12);
const A = hotspot(at(52.52, 13.405));
const B = hotspot(at(52.523, 13.412));
const FAR = hotspot(at(52.65, 13.405)); // 14.5 km north
const SILENT = hotspot(at(52.5215, 13.409));

/** A realistic (log-distance, exponent 3) EU868 reading at `distance` m from a 16 dBm device, dBm×10. */
function honestSignal(distanceM: number): number {
  const fspl100 = 20 * Math.log10((4 * Math.PI * 100 * 868_100_000) / 299_792_458);
  return Math.round((16 - fspl100 - 30 * Math.log10(Math.max(100, distanceM) / 100)) * 10);
}
const metres = (a: [number, number], b: [number, number]) => {
  const rad = Math.PI / 180;
  const h = Math.sin(((b[0] - a[0]) * rad) / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(((b[1] - a[1]) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
};
const positionOf = (h: TestHotspot): [number, number] => (h === A ? [52.52, 13.405] : h === B ? [52.523, 13.412] : h === FAR ? [52.65, 13.405] : [52.5215, 13.409]);

function frame(counter: number, lat: number, lng: number, key: Uint8Array = deviceKey): Uint8Array {
  return encodeMapperFrame({ deviceId: DEVICE_ID, counter, latE7: Math.round(lat * 1e7), lngE7: Math.round(lng * 1e7), hdopDeci: 9, satellites: 9 }, key);
}

let tmst = 1_000_000;
/** The receipt hotspot `h` signs for `bytes`; the radio metadata default to an honest reading from (lat, lng). */
async function publishReceipt(h: TestHotspot, bytes: Uint8Array, from: [number, number], radio: Partial<{ signal: number; snr: number; tmst: number }> = {}) {
  const receipt = signMapperReceipt(
    {
      pub_key: h.keys.address,
      frame: bytes,
      timestamp: BigInt(Date.now()) * 1_000_000n,
      tmst: radio.tmst ?? (tmst += 1733),
      signal: radio.signal ?? honestSignal(metres(from, positionOf(h))),
      snr: radio.snr ?? 55,
      frequency: 868_100_000,
      gateway_time: 0n,
      datarate: 'SF9BW125',
    },
    h.keys.privateKeyObject,
  );
  await client.publishAsync(mapperReceiptTopic('EU868', h.keys.address), encodeMapperReceiptPayload(receipt), { qos: 1 });
  return receipt;
}

async function receiptsSettled(expected: number) {
  await waitFor(`${expected} receipts stored or refused`, async () => {
    const [row] = await db.sql<{ n: number }[]>`
      SELECT (SELECT count(*) FROM mapper_receipts)::int + (SELECT coalesce(sum(count), 0) FROM rejected_messages WHERE reason = 'duplicate_receipt')::int AS n`;
    return row!.n >= expected;
  });
}
let published = 0;
const judge = () => processMapperFrames(db.sql, { keySeal, now: new Date(Date.now() + 3_600_000) });

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startEmbeddedBroker();
  // The oracle stores receipts; its group window is an hour, so only the test's explicit judge() decides frames.
  oracle = await startOracle(testOracleConfig({ databaseUrl: db.url, mqttUrl: broker.url, oracleKeypair: generateHotspotKeypair(), mapperKeySeal: keySeal, mapperGroupWindowMs: 3_600_000 }));
  client = await connectClient(broker.url);
  await seedHotspots(db.sql, [A, B, FAR, SILENT]);
  await db.sql`UPDATE hotspots SET last_witness_at = now()`;
  expect(await registerMapperDevice(db.sql, JSON.stringify(registration(DEVICE_ID, deviceKey)), { keySeal })).toMatchObject({ ok: true, deviceId: DEVICE_ID, replaced: false });
}, 120_000);
afterAll(async () => {
  await client?.endAsync();
  await oracle?.stop().catch(() => undefined); // stopped already by the last test
  await broker?.stop();
  await db?.drop();
});

const ROUTE: [number, number][] = [
  [52.521, 13.408],
  [52.5211, 13.4095],
  [52.5212, 13.411],
];

describe('mapper receipts', () => {
  it('an honest drive becomes mapper coverage at the device cells for the hotspots that heard it', async () => {
    for (const [i, p] of ROUTE.entries()) {
      const bytes = frame(i + 1, ...p);
      await publishReceipt(A, bytes, p);
      await publishReceipt(B, bytes, p);
      published += 2;
    }
    await receiptsSettled(published);
    const verdicts = await judge();
    expect(verdicts.map((v) => [v.status, v.reason, [...v.measuredBy].sort()])).toEqual(ROUTE.map(() => ['plausible', null, [A.keys.address, B.keys.address].sort()]));
    for (const p of ROUTE) {
      const cell = latLngToCell(p[0], p[1], 9);
      const rows = await db.sql<{ hotspot: string; source: string; best_rssi: number }[]>`SELECT hotspot, source, best_rssi FROM coverage_hex_hotspots WHERE h3 = ${cell} ORDER BY hotspot`;
      expect(rows.map((r) => [r.hotspot, r.source])).toEqual([A.keys.address, B.keys.address].sort().map((h) => [h, 'mapper']));
      const sameCell = ROUTE.filter((q) => latLngToCell(q[0], q[1], 9) === cell);
      expect(rows.find((r) => r.hotspot === A.keys.address)!.best_rssi).toBe(Math.max(...sameCell.map((q) => honestSignal(metres(q, positionOf(A))))));
      const [day] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM coverage_hex_hotspot_days WHERE h3 = ${cell} AND source = 'mapper'`;
      expect(day!.n).toBe(2);
    }
    const parent = cellToParent(latLngToCell(ROUTE[0]![0], ROUTE[0]![1], 9), 8);
    const [rollup] = await db.sql<{ mapper_count: string; hotspot_count: number }[]>`SELECT mapper_count::text, hotspot_count FROM coverage_hexes WHERE resolution = 8 AND h3 = ${parent}`;
    expect(rollup).toEqual({ mapper_count: '6', hotspot_count: 2 });
    // SILENT stands 300 m from the route, was active, and heard nothing: logged as evidence, not held against anyone.
    const [first] = await db.sql<{ evidence: { silent_hotspots: { hotspot: string }[] } }[]>`SELECT evidence FROM mapper_frames WHERE id = ${verdicts[0]!.frameId}`;
    expect(first!.evidence.silent_hotspots.map((s) => s.hotspot)).toEqual([SILENT.keys.address]);
    const [device] = await db.sql<{ last_counter: string }[]>`SELECT last_counter::text FROM mapper_devices WHERE device_id = ${DEVICE_ID}`;
    expect(device!.last_counter).toBe('3');
  });

  it('attack: a frame forged without the device key is refused as bad_mic and never counted', async () => {
    const p: [number, number] = [52.5213, 13.412];
    await publishReceipt(A, frame(4, ...p, randomBytes(16)), p);
    await receiptsSettled(++published);
    const [verdict] = await judge();
    expect(verdict).toMatchObject({ status: 'rejected', reason: 'bad_mic', measuredBy: [] });
    expect(await rejections('bad_mic')).toBe(1);
    expect(await mapperCoverageAt(p)).toBe(0);
  });

  it('attack: the same frame heard again later is a replay; an older counter is re-ordered; a second receipt from one hotspot is a duplicate', async () => {
    const first = ROUTE[0]!;
    await db.sql`UPDATE mapper_frames SET first_received_at = first_received_at - interval '5 minutes'`; // time passes
    await publishReceipt(SILENT, frame(1, ...first), first); // someone recorded frame 1 and plays it again near SILENT
    const p: [number, number] = [52.5213, 13.4125];
    const tenth = frame(10, ...p);
    await publishReceipt(A, tenth, p);
    await publishReceipt(A, tenth, p); // same hotspot, same frame, a new receipt
    published += 3;
    await receiptsSettled(published);
    expect(await rejections('duplicate_receipt')).toBe(1);
    const verdicts = await judge();
    expect(verdicts.find((v) => v.reason === null && v.status === 'rejected')?.refusedReceipts).toEqual([{ hotspot: SILENT.keys.address, reason: 'replayed_frame', detail: expect.any(String) }]);
    expect(verdicts.find((v) => v.status === 'plausible')?.measuredBy).toEqual([A.keys.address]);
    // Counter 9 after 10: authentic, but older than the newest accepted.
    const ninth = frame(9, 52.5214, 13.413);
    await publishReceipt(B, ninth, [52.5214, 13.413]);
    await receiptsSettled(++published);
    expect(await judge()).toMatchObject([{ status: 'rejected', reason: 'counter_reordered' }]);
    expect(await rejections('replayed_frame')).toBe(1);
    expect(await rejections('counter_reordered')).toBe(1);
  });

  it('attack: a GPS position spoofed 20 km away is implausible for the hotspots that heard it, and never counted', async () => {
    const truth: [number, number] = [52.5214, 13.414];
    const claimed: [number, number] = [52.3416, 13.414]; // 20 km south
    const bytes = frame(11, ...claimed);
    await publishReceipt(A, bytes, truth);
    await publishReceipt(B, bytes, truth);
    published += 2;
    await receiptsSettled(published);
    expect(await judge()).toMatchObject([{ status: 'implausible', reason: 'position_implausible', measuredBy: [] }]);
    expect(await mapperCoverageAt(claimed)).toBe(0);
    expect(await rejections('signal_too_strong_for_distance')).toBe(2);
  });

  it("attack: a far hotspot relaying another hotspot's reception is refused; the honest receipts still count", async () => {
    const p: [number, number] = [52.5215, 13.4145];
    const bytes = frame(12, ...p);
    const honest = await publishReceipt(A, bytes, p);
    await publishReceipt(B, bytes, p);
    // FAR copies A's radio metadata (the concentrator tmst cannot match by chance) …
    await publishReceipt(FAR, bytes, p, { tmst: honest.tmst, signal: honest.signal, snr: honest.snr });
    published += 3;
    await receiptsSettled(published);
    const [copied] = await judge();
    expect(copied).toMatchObject({ status: 'plausible', refusedReceipts: [{ hotspot: FAR.keys.address, reason: 'copied_radio_metadata' }] });
    expect([...copied!.measuredBy].sort()).toEqual([A.keys.address, B.keys.address].sort());
    // … or invents a reading it could not have had 14 km away.
    const next: [number, number] = [52.5216, 13.415];
    const bytes2 = frame(13, ...next);
    await publishReceipt(A, bytes2, next);
    await publishReceipt(B, bytes2, next);
    await publishReceipt(FAR, bytes2, next, { signal: -700 });
    published += 3;
    await receiptsSettled(published);
    const [invented] = await judge();
    expect(invented).toMatchObject({ status: 'plausible', refusedReceipts: [{ hotspot: FAR.keys.address, reason: 'signal_too_strong_for_distance' }] });
    const [far] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM coverage_hex_hotspots WHERE hotspot = ${FAR.keys.address}`;
    expect(far!.n).toBe(0);
  });

  it('attack: a fix 14 km from the previous one a moment later is implausible_speed, even when a hotspot there hears it', async () => {
    const nearFar: [number, number] = [52.6495, 13.4055];
    await publishReceipt(FAR, frame(15, ...nearFar), nearFar);
    await receiptsSettled(++published);
    expect(await judge()).toMatchObject([{ status: 'implausible', reason: 'implausible_speed', measuredBy: [] }]);
    expect(await mapperCoverageAt(nearFar)).toBe(0);
  });

  it('attack: a receipt signed by another hotspot than its topic names, or badly signed, is refused at ingest', async () => {
    const p = ROUTE[0]!;
    const receipt = signMapperReceipt(
      { pub_key: A.keys.address, frame: frame(14, ...p), timestamp: 1n, tmst: 1, signal: -900, snr: 10, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
      A.keys.privateKeyObject,
    );
    await client.publishAsync(mapperReceiptTopic('EU868', B.keys.address), encodeMapperReceiptPayload(receipt), { qos: 1 });
    await client.publishAsync(mapperReceiptTopic('EU868', A.keys.address), encodeMapperReceiptPayload({ ...receipt, signal: -800 }), { qos: 1 });
    await waitFor('both refused', async () => (await rejections('topic_mismatch')) === 1 && (await rejections('bad_signature')) === 1);
  });
});

describe('the running oracle judges frames itself', () => {
  it('a second oracle with a short group window turns a frame into coverage without being asked', async () => {
    const auto = await startOracle(
      testOracleConfig({ databaseUrl: db.url, mqttUrl: broker.url, oracleKeypair: generateHotspotKeypair(), mapperKeySeal: keySeal, mapperGroupWindowMs: 300, mqttClientId: 'oracle-auto', publishEntropy: false }),
    );
    try {
      await oracle.stop(); // only the new oracle consumes from now on
      const p: [number, number] = [52.5217, 13.4155];
      await publishReceipt(A, frame(16, ...p), p);
      const judged = () => db.sql<{ status: string; hotspot_count: number }[]>`SELECT status, hotspot_count FROM mapper_frames WHERE frame = ${Buffer.from(frame(16, ...p))}`;
      const [row] = await waitFor('frame judged by the oracle', async () => ((await judged()).length > 0 ? judged() : null), 20_000);
      expect(row).toEqual({ status: 'plausible', hotspot_count: 1 });
      expect(await mapperCoverageAt(p)).toBeGreaterThan(0);
      const metrics = await auto.metrics.metrics();
      expect(metrics).toContain('oracle_mapper_receipts_total{outcome="stored"} 1');
      expect(metrics).toContain('oracle_mapper_frames_total{status="plausible",reason="none"} 1');
    } finally {
      await auto.stop();
    }
  });
});

describe('mapper device registration', () => {
  const register = (fields: Partial<{ deviceId: number; issuedAt: number; sealTo: Uint8Array }>, signer = owner.privateKey, ownerKey = ownerAddress) =>
    registerMapperDevice(db.sql, JSON.stringify(registration(fields.deviceId ?? 77, deviceKey, { ...fields, signer, as: ownerKey })), { keySeal });

  it('attack: refuses a registration signed by someone else, stale, sealed to another oracle, a taken id, or replayed', async () => {
    const mallory = generateKeyPairSync('ed25519');
    expect(await register({}, mallory.privateKey)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await register({ issuedAt: Math.floor(Date.now() / 1000) - 2 * 86_400 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(await register({ sealTo: keySealKeypairFromSecret(randomBytes(32)).publicKey })).toMatchObject({ ok: false, reason: 'not_sealed_to_this_oracle' });
    expect(await register({ deviceId: DEVICE_ID }, mallory.privateKey, walletAddressOfKey(mallory.publicKey))).toMatchObject({ ok: false, reason: 'device_id_taken' });
    expect(await registerMapperDevice(db.sql, '{"device_id":1', { keySeal })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await registerMapperDevice(db.sql, 'x'.repeat(10_000), { keySeal })).toMatchObject({ ok: false, reason: 'malformed' });
    const issuedAt = Math.floor(Date.now() / 1000) - 10;
    const json = JSON.stringify(registration(78, deviceKey, { issuedAt }));
    expect(await registerMapperDevice(db.sql, json, { keySeal })).toMatchObject({ ok: true });
    expect(await registerMapperDevice(db.sql, json, { keySeal })).toMatchObject({ ok: false, reason: 'replayed' });
    // The key is stored sealed only: its clear bytes appear nowhere in the row.
    const [row] = await db.sql<{ sealed_key: Buffer }[]>`SELECT sealed_key FROM mapper_devices WHERE device_id = 78`;
    expect(row!.sealed_key.includes(deviceKey)).toBe(false);
  });
});

async function rejections(reason: string): Promise<number> {
  const [row] = await db.sql<{ n: string | null }[]>`SELECT sum(count)::text AS n FROM rejected_messages WHERE reason = ${reason}`;
  return Number(row?.n ?? 0);
}

async function mapperCoverageAt(p: [number, number]): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM coverage_hex_hotspots WHERE h3 = ${latLngToCell(p[0], p[1], 9)} AND source = 'mapper'`;
  return row!.n;
}
