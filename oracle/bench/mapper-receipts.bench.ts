/**
 * Mapper receipt ingest and grouping vs witness report ingest, same machine, same run, same PostgreSQL.
 * Baseline: witness reports decoded, Ed25519-verified (worker pool) and stored by the oracle's storeBatch, in batches.
 * Measured: mapper receipts (2 hotspots per frame) stored by storeMapperReceipts (topic, schema, hotspot signature,
 * insert) in batches, then every frame judged by processMapperFrames (device MIC, counter, fix, radio bounds, speed,
 * coverage rows). Prints receipts/s and its ratio to reports/s, and how the time splits between storing and judging.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, migrate } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import {
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  encodeReportPayload,
  generateHotspotKeypair,
  keySealKeypairFromSecret,
  mapperReceiptTopic,
  reportTopic,
  sealDeviceKey,
  signMapperReceipt,
  signMapperRegistration,
  signWitnessReport,
  walletAddressOfKey,
} from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { generateKeyPairSync } from 'node:crypto';
import { ORACLE_MIGRATIONS_DIR } from '../src/migrations';
import { decodeAndVerify, type IncomingMessage } from '../src/ingest/decode';
import { storeBatch } from '../src/ingest/store';
import { IngestWorkerPool } from '../src/ingest/worker-pool';
import { registerMapperDevice } from '../src/mappers/devices';
import { processMapperFrames } from '../src/mappers/process';
import { storeMapperReceipts } from '../src/mappers/receipts';
import { upsertHotspots } from '../src/registry/registry';

const FRAMES = Number(process.env.BENCH_MAPPER_FRAMES ?? 2_000);
const BATCH = 500;
const DEVICES = 20;
const dataDir = join(tmpdir(), `mapper-bench-${process.pid}`);
const pg = await startEmbeddedPostgres({ dataDir, database: 'bench', persistent: false });
const sql = connectDatabase(pg.url, { max: 4 });
try {
  await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
  const hotspots = Array.from({ length: 40 }, (_, i) => ({ keys: generateHotspotKeypair(), lat: 52.45 + (i % 8) * 0.02, lng: 13.3 + Math.floor(i / 8) * 0.03 }));
  await upsertHotspots(sql, hotspots.map((h, i) => ({ address: h.keys.address, name: `b-${i}`, region: 'EU868', locationH3: latLngToCell(h.lat, h.lng, 12), gainDdbi: 12 })));
  const keySeal = keySealKeypairFromSecret(randomBytes(32));
  const owner = generateKeyPairSync('ed25519');
  const ownerAddress = walletAddressOfKey(owner.publicKey);
  const deviceKeys = Array.from({ length: DEVICES }, () => randomBytes(16));
  for (const [d, key] of deviceKeys.entries()) {
    const reg = signMapperRegistration({ deviceId: d + 1, owner: ownerAddress, sealedKey: sealDeviceKey(key, d + 1, keySeal.publicKey), issuedAt: Math.floor(Date.now() / 1000) }, owner.privateKey);
    await registerMapperDevice(sql, JSON.stringify(reg), { keySeal });
  }

  // Mapper receipts: each device drives slowly north past the hotspots; two nearby hotspots hear each frame.
  const start = Date.now() - 3_600_000;
  const receipts: IncomingMessage[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const d = i % DEVICES;
    const step = Math.floor(i / DEVICES);
    const lat = 52.45 + step * 0.0005;
    const lng = 13.3 + d * 0.006;
    const frame = encodeMapperFrame({ deviceId: d + 1, counter: step + 1, latE7: Math.round(lat * 1e7), lngE7: Math.round(lng * 1e7), hdopDeci: 9, satellites: 9 }, deviceKeys[d]!);
    const near = [...hotspots].sort((a, b) => Math.hypot(a.lat - lat, a.lng - lng) - Math.hypot(b.lat - lat, b.lng - lng)).slice(0, 2);
    for (const [k, h] of near.entries()) {
      const r = signMapperReceipt(
        { pub_key: h.keys.address, frame, timestamp: BigInt(start + step * 30_000) * 1_000_000n, tmst: i * 2 + k, signal: -1100 + k * 10, snr: 20, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
        h.keys.privateKeyObject,
      );
      receipts.push({ topic: mapperReceiptTopic('EU868', h.keys.address), payload: encodeMapperReceiptPayload(r), receivedAt: new Date(start + step * 30_000) });
    }
  }
  // Witness reports, as many as receipts.
  const reports: IncomingMessage[] = receipts.map((_, i) => {
    const h = hotspots[i % hotspots.length]!;
    const r = signWitnessReport(
      { pub_key: h.keys.address, data: randomBytes(51), timestamp: BigInt(Date.now() + i) * 1_000_000n, tmst: i, signal: -1000, snr: 50, frequency: 867_900_000, datarate: 'SF12BW125' },
      h.keys.privateKeyObject,
    );
    return { topic: reportTopic('EU868', h.keys.address, 'witness'), payload: encodeReportPayload('witness', r), receivedAt: new Date() };
  });

  const pool = new IngestWorkerPool(1);
  let t = performance.now();
  for (let i = 0; i < reports.length; i += BATCH) {
    const { accepted, rejected } = await decodeAndVerify(reports.slice(i, i + BATCH), pool);
    await storeBatch(sql, accepted, rejected);
  }
  const reportsPerS = reports.length / ((performance.now() - t) / 1000);
  await pool.close();

  t = performance.now();
  for (let i = 0; i < receipts.length; i += BATCH) await storeMapperReceipts(sql, receipts.slice(i, i + BATCH));
  const storeS = (performance.now() - t) / 1000;
  let judged = 0;
  for (;;) {
    const verdicts = await processMapperFrames(sql, { keySeal, now: new Date(), maxFrames: 500 });
    if (verdicts.length === 0) break;
    judged += verdicts.length;
  }
  const totalS = (performance.now() - t) / 1000;
  const receiptsPerS = receipts.length / totalS;
  const [plausible] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mapper_frames WHERE status = 'plausible'`;
  console.log(`mapper frames judged ${judged}, plausible ${plausible!.n} of ${FRAMES}; store ${storeS.toFixed(2)} s, judge ${(totalS - storeS).toFixed(2)} s`);
  console.log(`BENCH oracle-mapper-receipts: ${receiptsPerS.toFixed(0)} receipts/s stored+grouped+judged | baseline ${reportsPerS.toFixed(0)} witness reports/s ingested | ratio ${(receiptsPerS / reportsPerS).toFixed(2)}`);
} finally {
  await sql.end({ timeout: 5 });
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
