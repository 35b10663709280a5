import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { connectDatabase, type Database } from '@poc/db';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { buildMapperServer } from '@poc/mapper';
import { upsertHotspots } from '@poc/oracle';
import { mapperOwner, processMapperFrames, processMapperLogs, registerMapperDevice, storeMapperReceipts } from '@poc/oracle/testing';
import {
  decodeMapperReceiptPayload,
  keypairFromSecret,
  keySealKeypairFromSecret,
  MAPPER_RECEIPT_FILTER,
} from '@poc/protocol';
import { mhzToHz } from '@poc/hotspot-firmware-bridge';
import {
  DRIVING_SPEED_M_S,
  freeSpacePathLossDb,
  haversineM,
  planFleet,
  planMapperRoutes,
  RadioMedium,
  SimulatedMapper,
  startFleet,
  WALKING_SPEED_M_S,
  type Fleet,
  type MapperRoute,
  type SentFrame,
} from '@poc/simulator';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import mqtt from 'mqtt';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A simulated mapper drives out of town through the simulated radio medium: its frames reach real bridges as rxpk
 * uplinks, the bridges publish signed receipts over a real broker, the oracle's receipt pipeline judges them in real
 * PostgreSQL, and the device's owner-signed log upload over HTTP turns the frames nobody heard into measured no-signal.
 * The drive runs on a simulated clock (30 s per frame at 50 km/h): the receipts are stored with the arrival times they
 * would have had, so the oracle's speed check sees the real pace.
 */
const SEED = 'sim-mappers';
const DEVICE_ID = 0x5151_0001;
const FRAMES = 54; // 22.5 km at 417 m a frame
const FRAME_MS = 30_000;

describe('simulated mapper drive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-mappers-'));
  let db: TestDatabase | null = null;
  let serverSql: Database | null = null;
  let app: FastifyInstance | null = null;
  let broker: EmbeddedBroker | null = null;
  let fleet: Fleet | null = null;
  let collector: mqtt.MqttClient | null = null;
  afterAll(async () => {
    await fleet?.stop();
    await collector?.endAsync(true);
    await broker?.stop();
    await app?.close();
    await serverSql?.end({ timeout: 5 });
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans drives through the fleet towns and walks in them, at realistic speeds', () => {
    const hotspots = planFleet({ count: 8, seed: SEED });
    const towns = new Set(hotspots.map((h) => h.town));
    const routes = planMapperRoutes(hotspots, { drives: 3, walks: 2, seed: SEED });
    expect(routes.map((r) => r.kind)).toEqual(['drive', 'drive', 'drive', 'walk', 'walk']);
    for (const r of routes) {
      expect(r.towns.every((t) => towns.has(t))).toBe(true);
      // A drive links 3–4 towns of one cluster (tens of km); a walk loops around one town (≈ 2 km).
      if (r.kind === 'drive') expect([r.towns.length, r.speedMS * 3.6]).toEqual([r.towns.length, 50]);
      else expect([r.towns.length, r.speedMS * 3.6, r.lengthM > 1000 && r.lengthM < 3500]).toEqual([1, 5, true]);
    }
    const drives = routes.filter((r) => r.kind === 'drive');
    expect(drives.every((r) => r.towns.length >= 3 && r.lengthM > 5_000 && r.lengthM < 200_000)).toBe(true);
    expect(planMapperRoutes(hotspots, { drives: 3, walks: 2, seed: SEED })).toEqual(routes);
  });

  it('a device walking beside a hotspot is never heard above free space (the oracle would call its position implausible)', () => {
    const hotspots = planFleet({ count: 8, seed: SEED });
    const heard: { to: (typeof hotspots)[number]; data: string; freq: number; rssiDbm: number }[] = [];
    const medium = new RadioMedium({ seed: SEED, onDeviceReception: ({ to, rxpk, rssiDbm }) => heard.push({ to, data: rxpk.data, freq: rxpk.freq, rssiDbm }) });
    for (const h of hotspots) medium.attach(h, { deliver() {}, onTransmit() {}, close: async () => {} });
    const at = new Map<string, [number, number]>();
    const owner = generateKeyPairSync('ed25519');
    for (const h of hotspots) {
      const points: [number, number][] = [[h.trueLat + 0.002, h.trueLng], [h.trueLat, h.trueLng + 0.003], [h.trueLat - 0.002, h.trueLng]];
      const route: MapperRoute = { kind: 'walk', region: h.region, towns: [h.town], points, lengthM: 500, speedMS: WALKING_SPEED_M_S };
      const walker = new SimulatedMapper({ deviceId: h.index + 1, deviceKey: randomBytes(16), route, medium, owner: 'unused', ownerKey: owner.privateKey });
      for (let i = 0; i < 12; i++) {
        const f = walker.sendFrame(Date.now(), i * 30_000);
        at.set(Buffer.from(f.frame).toString('base64'), [f.lat, f.lng]);
      }
    }
    expect(heard.length).toBeGreaterThan(8 * 12);
    const over = heard.filter(({ to, data, freq, rssiDbm }) => {
      const [lat, lng] = at.get(data)!;
      const bound = 14 + to.gainDdbi / 10 - freeSpacePathLossDb(haversineM(lat, lng, to.trueLat, to.trueLng), mhzToHz(freq));
      // Channel RSSI adds the noise power to the signal: at most 3 dB above it, only near the noise floor.
      return rssiDbm > bound + (rssiDbm < -110 ? 3 : 0.01);
    });
    expect(over).toEqual([]);
  });

  it('a drive out of town gives plausible measurements at its cells by the hotspots that heard it, then a measured no-signal stretch', async () => {
    db = await createTestDatabase();
    const hotspots = planFleet({ count: 8, seed: SEED });
    await upsertHotspots(db.sql, hotspots.map((h) => ({ address: h.address, name: h.name, region: h.region, locationH3: h.h3, gainDdbi: h.gainDdbi, elevationM: h.elevationM })));
    broker = await startEmbeddedBroker();
    const receipts: { topic: string; payload: Buffer }[] = [];
    collector = await mqtt.connectAsync(broker.url, { clientId: 'sim-mappers-collector' });
    collector.on('message', (topic, payload) => receipts.push({ topic, payload }));
    await collector.subscribeAsync(MAPPER_RECEIPT_FILTER, { qos: 1 });
    const delivered = new Map<string, Set<string>>(); // frame hex → hotspots the medium delivered it to
    fleet = await startFleet({
      mqttUrl: broker.url,
      hotspots,
      oracleAddress: keypairFromSecret(new Uint8Array(32).fill(9)).address,
      dataDir: dir,
      beaconIntervalSeconds: 3600,
      link: 'udp',
      radioSeed: SEED,
      radio: {
        onDeviceReception: ({ to, rxpk }) => {
          const frame = Buffer.from(rxpk.data, 'base64').toString('hex');
          delivered.set(frame, (delivered.get(frame) ?? new Set()).add(to.address));
        },
      },
    });

    // The owner registers the device with its key sealed to the oracle.
    const keySeal = keySealKeypairFromSecret(randomBytes(32));
    const deviceKey = randomBytes(16);
    const { keys: owner, address: ownerAddress, registration } = mapperOwner(keySeal.publicKey);
    expect(await registerMapperDevice(db.sql, JSON.stringify(registration(DEVICE_ID, deviceKey)), { keySeal })).toMatchObject({ ok: true });

    // From the edge of Égly south, away from the Paris cluster's other towns, into the countryside.
    const start = hotspots.find((h) => h.town === 'Égly')!;
    const points: [number, number][] = [[start.trueLat + 0.002, start.trueLng], [start.trueLat - 0.2, start.trueLng - 0.02]];
    const route: MapperRoute = { kind: 'drive', region: start.region, towns: ['Égly'], points, lengthM: haversineM(...points[0]!, ...points[1]!), speedMS: DRIVING_SPEED_M_S };
    const mapper = new SimulatedMapper({ deviceId: DEVICE_ID, deviceKey, route, medium: fleet.medium, owner: ownerAddress, ownerKey: owner.privateKey });
    const t0 = Date.now() - 2 * 3_600_000;
    const sent: SentFrame[] = [];
    for (let i = 0; i < FRAMES; i++) sent.push(mapper.sendFrame(t0 + i * FRAME_MS, i * FRAME_MS));
    const deliveries = [...delivered.values()].reduce((n, s) => n + s.size, 0);
    const heard = sent.filter((f) => f.heardBy > 0);
    expect(heard.length).toBeGreaterThanOrEqual(5);
    expect(deliveries).toBe(sent.reduce((n, f) => n + f.heardBy, 0));
    // Every delivery becomes one signed receipt from that hotspot's bridge.
    await expect.poll(() => receipts.length, { timeout: 20_000, interval: 100 }).toBe(deliveries);

    const sentAt = new Map(sent.map((f) => [Buffer.from(f.frame).toString('hex'), f.sentAtMs]));
    const arrival = (payloadFrameHex: string) => new Date(sentAt.get(payloadFrameHex)! + 400);
    const stored = await storeMapperReceipts(
      db.sql,
      receipts.map((r) => {
        const decoded = decodeMapperReceiptPayload(r.payload);
        if (!decoded.ok) throw new Error('a bridge published an undecodable receipt');
        return { ...r, receivedAt: arrival(Buffer.from(decoded.receipt.frame).toString('hex')) };
      }),
    );
    expect(stored).toEqual({ stored: deliveries, rejected: [] });
    const verdicts = await processMapperFrames(db.sql, { keySeal, now: new Date() });
    expect(verdicts).toHaveLength(heard.length);
    const frames = await db.sql<{ frame: Buffer; h3: string; status: string; reason: string | null; hotspot_count: number }[]>`
      SELECT frame, h3, status, reason, hotspot_count FROM mapper_frames ORDER BY counter`;
    expect(frames.map((f) => [f.status, f.reason])).toEqual(heard.map(() => ['plausible', null]));
    expect(frames.map((f) => f.h3)).toEqual(heard.map((f) => latLngToCell(f.lat, f.lng, 9)));
    // Each measurement is credited to exactly the hotspots whose forwarders received the frame.
    const byFrame = await db.sql<{ frame: Buffer; hotspots: string[] }[]>`
      SELECT frame, array_agg(hotspot ORDER BY hotspot) AS hotspots FROM mapper_receipts WHERE status = 'valid' GROUP BY frame`;
    expect(new Map(byFrame.map((r) => [r.frame.toString('hex'), r.hotspots]))).toEqual(new Map([...delivered].map(([f, s]) => [f, [...s].sort()])));

    // The device's log reaches the mapper API signed by its owner; the oracle judges it after the grace period.
    serverSql = connectDatabase(db.url, { max: 2 });
    app = await buildMapperServer({ sql: serverSql, coverageIndex: false, estimates: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    expect(mapper.pendingLog()).toHaveLength(FRAMES);
    const upload = await mapper.uploadLog(base);
    expect(upload).toMatchObject({ status: 202, entries: FRAMES, body: { accepted: FRAMES, new_entries: FRAMES } });
    expect(mapper.pendingLog()).toHaveLength(0);
    expect(await processMapperLogs(db.sql, { keySeal, graceMs: 600_000 })).toEqual({ heard: heard.length, noSignal: FRAMES - heard.length, invalid: 0 });
    const entries = await db.sql<{ counter: number; status: string; h3: string }[]>`SELECT counter::int, status, h3 FROM mapper_log_entries ORDER BY counter`;
    expect(entries).toEqual(sent.map((f) => ({ counter: f.counter, status: f.heardBy > 0 ? 'heard' : 'no_signal', h3: latLngToCell(f.lat, f.lng, 9) })));

    // Near town the frames are heard; out in the country there is a run of at least 8 frames (3 km) nobody heard.
    expect(sent.slice(0, 3).every((f) => f.heardBy > 0)).toBe(true);
    let run = 0;
    let longest = 0;
    for (const f of sent) longest = Math.max(longest, (run = f.heardBy > 0 ? 0 : run + 1));
    expect(longest).toBeGreaterThanOrEqual(8);
    const nearest = (f: SentFrame) => Math.min(...hotspots.filter((h) => h.region === start.region).map((h) => haversineM(f.lat, f.lng, h.trueLat, h.trueLng)));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Plausible radio: unheard frames were sent much farther from the nearest hotspot than heard ones.
    expect(median(sent.filter((f) => f.heardBy === 0).map(nearest))).toBeGreaterThan(2 * median(heard.map(nearest)));
  }, 120_000);
});
