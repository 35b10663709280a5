import { MAPPER_MIGRATIONS_DIR } from '@poc/mapper/migrations';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import { decodeReportPayload, generateHotspotKeypair, parseReportTopic } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '@poc/db';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '@poc/devnet/postgres';
import { migrate } from '@poc/db';
import { computeEpoch } from '@poc/oracle';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { rewardShares } from '@poc/oracle';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { crashPostgres } from './postgres';
import { startChildOracle, superviseChildOracle } from '@poc/devnet/child-oracle';
import { missingHashes, publishAll, signedReports, storageCounts, waitUntil, ORACLE_CHILD_SCRIPT } from './support';

/**
 * A PostgreSQL of its own, killed with SIGKILL (every server process) while the oracle writes report batches
 * and while an epoch's rewards are inside their transaction; restarted on the same data directory (WAL recovery).
 */
const dataDir = resolve(`.data/fault-postgres-${process.pid}-${randomBytes(3).toString('hex')}`);
const clusterDir = join(dataDir, 'pg');
let port: number;
let pg: EmbeddedDatabase | null = null;
let sql: Sql;
let control: TestDatabase;
let broker: EmbeddedBroker;
let supervisor: ReturnType<typeof superviseChildOracle> | null = null;
let publisher: MqttClient;

/** A new connection per probe: postgres.js 3.4.9 can leave a pooled connection hung after a server crash (porsager/postgres#1208). */
async function withFreshConnection<T>(fn: (db: Sql) => Promise<T>): Promise<T> {
  const db = connectDatabase(pg!.url, { max: 1 });
  try {
    return await fn(db);
  } finally {
    await db.end({ timeout: 1 });
  }
}

const startPg = async () => (pg = await startEmbeddedPostgres({ dataDir, port, database: 'faults', persistent: true }));

beforeAll(async () => {
  port = await freePort();
  await startPg();
  sql = connectDatabase(pg!.url, { max: 4 });
  await migrate(sql, [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);
  await sql.end(); // reopened after the ingest crash, so no connection of ours spans it
  control = await createTestDatabase();
  broker = await startEmbeddedBroker();
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'pg-fault-publisher', protocolVersion: 4 });
});
afterAll(async () => {
  await publisher?.endAsync();
  await supervisor?.stop();
  await broker?.stop();
  await sql?.end({ timeout: 1 });
  await pg?.stop();
  await control?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PostgreSQL killed mid-write', () => {
  it('loses no report and stores none twice when the database dies under the ingest batches', async () => {
    const TOTAL = 3000;
    const { messages } = signedReports(TOTAL);
    const expected = new Set(messages.map((m) => (decodeReportPayload(parseReportTopic(m.topic)!.kind, m.payload) as { hash: string }).hash));
    const childConfig = { databaseUrl: pg!.url, mqttUrl: broker.url, mqttClientId: 'oracle-pg-fault', oracleSecretHex: randomBytes(32).toString('hex') };
    supervisor = superviseChildOracle(ORACLE_CHILD_SCRIPT, childConfig, await startChildOracle(ORACLE_CHILD_SCRIPT, childConfig));
    const publishing = publishAll(publisher, messages, 50);
    await waitUntil(async () => {
      const c = await withFreshConnection(storageCounts);
      return { done: c.stored >= TOTAL / 4, progress: c.stored, value: c };
    }, { timeoutMs: 60_000 });
    const killed = crashPostgres(clusterDir);
    const accepted = await publishing; // the broker keeps taking reports while the database is down
    await startPg();
    const final = await waitUntil(async () => {
      const c = await withFreshConnection(storageCounts).catch(() => ({ stored: -1, distinct: -1, duplicatesAbsorbed: -1 }));
      return { done: c.stored >= TOTAL, progress: c.stored, value: c };
    });
    const missing = await withFreshConnection((db) => missingHashes(db, expected));
    console.log(
      `FAULT PostgreSQL SIGKILL (${killed} processes) during ingest: accepted by broker ${accepted}, stored ${final.stored} ` +
        `(distinct ${final.distinct}), lost ${missing.length}, oracle process restarts ${supervisor.restarts()}`,
    );
    expect(missing).toEqual([]);
    expect(final.stored).toBe(TOTAL);
    expect(final.distinct).toBe(TOTAL);
    await supervisor.stop();
    supervisor = null;
  });

  it('computes the same epoch rewards after a crash inside the epoch transaction as an undisturbed database', async () => {
    const EPOCH_S = 60;
    const options = { epochSeconds: EPOCH_S, emissionPerEpoch: 1_000_000_000_007n };
    const after = (EPOCH_S * 501 + 1) * 1000;
    const hotspots = Array.from({ length: 10 }, () => generateHotspotKeypair().address);
    const pocs = Array.from({ length: 25 }, (_, i) => ({
      beaconer: hotspots[i % 10]!,
      witnesses: [1, 2, 4].slice(0, 1 + (i % 3)).map((k) => hotspots[(i + k) % 10]!),
      scale: [1, 0.5, 0.25][i % 3]!,
      atMs: (EPOCH_S * 500 + 1 + i * 2) * 1000,
    }));
    sql = connectDatabase(pg!.url, { max: 4 });
    for (const db of [sql, control.sql]) await insertScoredPocs(db, pocs);

    expect(await computeEpoch(control.sql, 500n, options, after)).toBe('computed');
    let crashed = 0;
    const attempt = computeEpoch(sql, 500n, { ...options, beforeCommit: () => void (crashed = crashPostgres(clusterDir)) }, after);
    await expect(attempt).rejects.toThrow();
    expect(crashed).toBeGreaterThan(0);
    await startPg();
    const [afterCrash] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM epochs`;
    expect(afterCrash!.n).toBe(0n); // nothing half-written survived recovery
    expect(await computeEpoch(sql, 500n, options, after)).toBe('computed');
    expect(await computeEpoch(sql, 500n, options, after)).toBe('exists'); // no second payment

    const faulted = await epochRewards(sql);
    const undisturbed = await epochRewards(control.sql);
    console.log(`FAULT PostgreSQL SIGKILL inside the epoch transaction: ${faulted.rewards.length} hotspots paid, root ${faulted.root}, identical to the undisturbed run: ${JSON.stringify(faulted) === JSON.stringify(undisturbed)}`);
    expect(faulted).toEqual(undisturbed);
  });
});

/** Reports already verified and scored, as the PoC processor leaves them. */
async function insertScoredPocs(db: Sql, pocs: { beaconer: string; witnesses: string[]; scale: number; atMs: number }[]): Promise<void> {
  let n = 0;
  const hash = () => (n++).toString(16).padStart(64, '0');
  for (const p of pocs) {
    const beaconHash = hash();
    const unit = p.witnesses.length / 4;
    await db`INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate,
               tx_power, tmst, signature, status, hex_scale, reward_unit, trust, reward_shares, processed_at)
             VALUES (${beaconHash}, ${p.beaconer}, ${new Date(p.atMs)}, 0, ${Buffer.alloc(4)}, ${Buffer.alloc(32)}, ${Buffer.alloc(51)}, 867900000, 4, 'SF12BW125',
               14, 0, ${Buffer.alloc(64)}, 'valid', ${p.scale}, ${unit}, 1, ${rewardShares(p.scale, unit, 1).toString()}::bigint, now())`;
    for (const w of p.witnesses) {
      await db`INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status,
                 beacon_hash, selected, reward_unit, trust, reward_shares, processed_at)
               VALUES (${hash()}, ${w}, ${new Date(p.atMs + 300)}, 0, ${Buffer.alloc(51)}, 0, -1000, 50, 867900000, 'SF12BW125',
                 ${Buffer.alloc(64)}, 'valid', ${beaconHash}, true, 1, 1, ${rewardShares(p.scale, 1, 1).toString()}::bigint, now())`;
    }
  }
}

async function epochRewards(db: Sql) {
  const [e] = await db<{ root: Buffer; total: string }[]>`SELECT merkle_root AS root, total_paid::text AS total FROM epochs WHERE epoch = 500`;
  const rewards = await db<{ hotspot: string; amount: string }[]>`SELECT hotspot, amount::text FROM epoch_rewards WHERE epoch = 500 ORDER BY hotspot`;
  return { root: e!.root.toString('hex'), total: e!.total, rewards: rewards.map((r) => `${r.hotspot}:${r.amount}`) };
}
