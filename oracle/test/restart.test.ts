import { generateHotspotKeypair } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import type { MqttClient } from 'mqtt';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { connectClient, latestEntropy, makeBeacon, makeWitness, publishBeacon, publishWitness, seedHotspots, waitFor, type TestHotspot } from './helpers';

const EMISSION = 1_000_000_007n;
let db: TestDatabase;
let broker: MosquittoBroker;
let client: MqttClient;
let child: ChildProcess | null = null;
const oracleKeys = generateHotspotKeypair();
const hotspots: TestHotspot[] = Array.from({ length: 4 }, (_, i) => ({ keys: generateHotspotKeypair(), location: latLngToCell(35.85 + i * 0.02, 14.45, 12) }));

async function startOracleProcess(): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/oracle-process.ts', import.meta.url))], {
    env: { ...process.env, DATABASE_URL: db.url, MQTT_URL: broker.url, ORACLE_SECRET: Buffer.from(oracleKeys.secretKey).toString('hex'), EPOCH_SECONDS: '2', EMISSION: String(EMISSION) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`oracle process exited with ${code}`)));
    proc.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
  });
}

async function killOracleProcess(): Promise<void> {
  const proc = child;
  child = null;
  if (!proc || proc.exitCode !== null) return;
  proc.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

const processedCount = async () => {
  const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM beacon_reports WHERE status = 'valid'`;
  return row!.n;
};

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startMosquitto();
  await seedHotspots(db.sql, hotspots);
  client = await connectClient(broker.url);
});

afterAll(async () => {
  await killOracleProcess();
  await client?.endAsync();
  await broker?.stop();
  await db?.drop();
});

describe('oracle killed with SIGKILL and restarted', () => {
  it('loses no report (broker-kept session), verifies everything once and pays every epoch exactly once', async () => {
    await startOracleProcess();
    const entropy = await latestEntropy(client, oracleKeys.address);
    const round = async (beaconer: number, witness: number) => {
      const beacon = makeBeacon(hotspots[beaconer]!, entropy);
      await publishBeacon(client, beacon);
      await publishWitness(client, makeWitness(hotspots[witness]!, beacon, -1100));
    };
    await round(0, 1);
    await waitFor('the first PoC', async () => (await processedCount()) === 1);

    await killOracleProcess();
    await round(2, 3); // published while no oracle runs: mosquitto queues it for the oracle's session
    await round(1, 0);
    await startOracleProcess();
    await waitFor('the PoCs sent while the oracle was dead', async () => (await processedCount()) === 3);

    await killOracleProcess(); // killed again somewhere in its epoch loop
    await startOracleProcess();
    const lastBeacon = (await db.sql<{ at: Date }[]>`SELECT max(received_at) AS at FROM beacon_reports`)[0]!.at;
    const lastEpoch = BigInt(Math.floor(lastBeacon.getTime() / 2000));
    await waitFor('every epoch up to the last PoC', async () => {
      const [row] = await db.sql<{ e: bigint | null }[]>`SELECT max(epoch) AS e FROM epochs`;
      return row!.e !== null && row!.e >= lastEpoch;
    });

    const witnesses = await db.sql<{ status: string }[]>`SELECT status FROM witness_reports`;
    expect(witnesses.map((w) => w.status)).toEqual(['valid', 'valid', 'valid']);
    const epochs = await db.sql<{ epoch: bigint; total_paid: string; unallocated: string; non_poc: string }[]>`
      SELECT epoch, total_paid::text, unallocated::text, non_poc::text FROM epochs ORDER BY epoch`;
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]!.epoch).toBe(epochs[i - 1]!.epoch + 1n);
    for (const e of epochs) expect(BigInt(e.total_paid) + BigInt(e.unallocated) + BigInt(e.non_poc)).toBe(EMISSION);
    const [paid] = await db.sql<{ total: string; rows: number }[]>`SELECT sum(amount)::text AS total, count(*)::int AS rows FROM epoch_rewards`;
    const [booked] = await db.sql<{ total: string }[]>`SELECT sum(total_paid)::text AS total FROM epochs`;
    expect(paid!.total).toBe(booked!.total);
    const [totals] = await db.sql<{ total: string }[]>`SELECT sum(cumulative)::text AS total FROM reward_totals`;
    expect(totals!.total).toBe(booked!.total);
    expect(await db.sql`SELECT * FROM rejected_messages WHERE reason <> 'duplicate'`).toHaveLength(0);
  });
});
