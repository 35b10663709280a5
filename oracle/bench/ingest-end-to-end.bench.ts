/**
 * End-to-end ingest vs a plain multi-row INSERT of the same rows, same machine, same run.
 * Pipeline: pre-signed witness reports, encoded as MQTT packets before the clock starts, published at QoS 1 by
 * BENCH_CLIENTS connections (one publisher process, the raw client of @poc/devnet/mqtt-qos1-publisher) →
 * Debian mosquitto → BENCH_ORACLES oracle ingest processes (the oracle's subscriber, BENCH_THREADS verification
 * threads each, PUBACK after the commit; several share the stream with $share) → PostgreSQL. Timed from the first
 * publish until the oracles have committed every report.
 * Baseline: the rows those reports became, inserted again into the emptied table with multi-row INSERTs of 1000
 * (no ON CONFLICT, one connection) — what PostgreSQL itself takes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, migrate } from '@poc/db';
import { startMosquitto } from '@poc/devnet/mosquitto';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { ORACLE_MIGRATIONS_DIR } from '../src/migrations';
import type { IngestOracleOptions, IngestOracleStats } from './support/ingest-oracle';
import type { ReportPublisherOptions } from './support/report-publisher';
import { descendantsCpuMs } from './support/process-cpu';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 40_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ORACLES = Number(process.env.BENCH_ORACLES ?? 1);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
/** The subscriber's batch and held-PUBACK limits; unset, its defaults (1000 and 4 × the batch). */
const MAX_BATCH = process.env.BENCH_MAX_BATCH ? Number(process.env.BENCH_MAX_BATCH) : undefined;
const MAX_HELD = process.env.BENCH_MAX_HELD ? Number(process.env.BENCH_MAX_HELD) : undefined;
const support = (name: string) => join(import.meta.dirname, 'support', name);
const dataDir = join(tmpdir(), `ingest-bench-${process.pid}`);

/** BENCH_CPU_PROF=DIR writes V8 CPU profiles of the oracle processes (main and worker threads) there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
function child<T extends object>(file: string, options: T, profile = false): ChildProcess {
  const execArgv = ['--import', 'tsx', ...(profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
  return fork(support(file), [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
function nextMessage<T extends { type: string }>(p: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      p.off('message', onMessage);
      p.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => reject(new Error(`${p.spawnfile} exited (${code}) before '${type}'`));
    p.on('message', onMessage);
    p.once('exit', onExit);
  });
}
const stats = async (oracles: ChildProcess[]) =>
  Promise.all(oracles.map((o) => {
    const answer = nextMessage<IngestOracleStats>(o, 'stats');
    o.send({ type: 'stats' });
    return answer;
  }));

const pg = await startEmbeddedPostgres({ dataDir, database: 'bench', persistent: false });
const sql = connectDatabase(pg.url, { max: 2 });
await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
const broker = await startMosquitto();
const publisher = child<ReportPublisherOptions>('report-publisher.ts', { brokerUrl: broker.url, clients: CLIENTS, count: REPORTS, hotspots: 500, streamId: 1 });
const oracles = Array.from({ length: ORACLES }, (_, i) =>
  child<IngestOracleOptions>('ingest-oracle.ts', {
    databaseUrl: pg.url,
    mqttUrl: broker.url,
    clientId: `bench-oracle-${i}`,
    workerThreads: THREADS,
    sharedSubscriptionGroup: ORACLES > 1 ? 'bench' : null,
    maxBatch: MAX_BATCH,
    maxHeld: MAX_HELD,
  }, true),
);
await Promise.all([nextMessage(publisher, 'ready'), ...oracles.map((o) => nextMessage(o, 'ready'))]);

const COLUMNS = ['hash', 'hotspot', 'received_at', 'report_ts_ns', 'data', 'tmst', 'signal', 'snr', 'frequency', 'datarate', 'signature'] as const;

/** CPU ms per report of the broker and PostgreSQL since `from` (null without /proc). */
const serverCpu = () => ({ postgres: descendantsCpuMs('postgres'), mosquitto: descendantsCpuMs('mosquitto') });
function serverCpuPerReport(from: ReturnType<typeof serverCpu>, reports: number): { postgres: number | null; mosquitto: number | null } {
  const to = serverCpu();
  const per = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / reports);
  return { postgres: per(from.postgres, to.postgres), mosquitto: per(from.mosquitto, to.mosquitto) };
}

async function endToEnd(): Promise<{
  perSecond: number;
  cpuMsPerReport: number;
  mainThreadCpuMsPerReport: number | null;
  publisherCpuMsPerReport: number;
  servers: ReturnType<typeof serverCpuPerReport>;
  peakRss: number;
  peakUnacknowledged: number;
}> {
  await sql`TRUNCATE witness_reports, rejected_messages`;
  const before = await stats(oracles);
  const serversBefore = serverCpu();
  const storedBefore = before.reduce((s, x) => s + x.stored, 0);
  const start = performance.now();
  const published = nextMessage<{ type: 'done'; cpuMs: number }>(publisher, 'done');
  publisher.send({ type: 'go' });
  let peakRss = 0;
  let peakUnacknowledged = 0;
  let last = before;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    last = await stats(oracles);
    peakRss = Math.max(peakRss, ...last.map((s) => s.rssBytes));
    peakUnacknowledged = Math.max(peakUnacknowledged, ...last.map((s) => s.unacknowledged));
    if (last.reduce((s, x) => s + x.stored, 0) - storedBefore >= REPORTS) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const servers = serverCpuPerReport(serversBefore, REPORTS);
  const publisherCpuMs = (await published).cpuMs;
  const cpuMs = last.reduce((s, x) => s + x.cpuMs, 0) - before.reduce((s, x) => s + x.cpuMs, 0);
  const mainMs = (stats: IngestOracleStats[]) => stats.reduce<number | null>((s, x) => (s === null || x.mainThreadCpuMs === null ? null : s + x.mainThreadCpuMs), 0);
  const mainBefore = mainMs(before);
  const mainAfter = mainMs(last);
  const mainThreadCpuMsPerReport = mainBefore === null || mainAfter === null ? null : (mainAfter - mainBefore) / REPORTS;
  return { perSecond: REPORTS / seconds, cpuMsPerReport: cpuMs / REPORTS, mainThreadCpuMsPerReport, publisherCpuMsPerReport: publisherCpuMs / REPORTS, servers, peakRss, peakUnacknowledged };
}

async function plainInsert(): Promise<{ perSecond: number; postgresCpuMsPerRow: number | null }> {
  const rows = await sql`SELECT ${sql(COLUMNS as unknown as string[])} FROM witness_reports`;
  if (rows.length !== REPORTS) throw new Error(`expected ${REPORTS} stored rows, found ${rows.length}`);
  await sql`TRUNCATE witness_reports`;
  const serversBefore = serverCpu();
  const start = performance.now();
  for (let i = 0; i < rows.length; i += 1000) await sql`INSERT INTO witness_reports ${sql(rows.slice(i, i + 1000), ...COLUMNS)}`;
  const perSecond = rows.length / ((performance.now() - start) / 1000);
  return { perSecond, postgresCpuMsPerRow: serverCpuPerReport(serversBefore, rows.length).postgres };
}

const rounds: { e2e: Awaited<ReturnType<typeof endToEnd>>; insert: Awaited<ReturnType<typeof plainInsert>> }[] = [];
try {
  await endToEnd(); // warm-up: JIT, key caches, PostgreSQL buffers
  await plainInsert();
  for (let r = 0; r < ROUNDS; r++) {
    const e2e = await endToEnd();
    rounds.push({ e2e, insert: await plainInsert() });
  }
} finally {
  publisher.send({ type: 'exit' });
  for (const o of oracles) o.send({ type: 'stop' });
  await Promise.all([publisher, ...oracles].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
  await broker.stop();
  await sql.end({ timeout: 5 });
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
const ratio = (x: (typeof rounds)[number]) => x.e2e.perSecond / x.insert.perSecond;
rounds.sort((a, b) => ratio(a) - ratio(b));
const median = rounds[Math.floor(rounds.length / 2)]!;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
console.log(
  `ingest end to end: ${REPORTS} witness reports × ${ROUNDS} rounds, ${CLIENTS} publishing connections → mosquitto → ${ORACLES} oracle process(es) × ${THREADS} verify threads → PostgreSQL, ${availableParallelism()} cores; ` +
    `ratios ${rounds.map((x) => ratio(x).toFixed(2)).join(', ')}; load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  `median round, CPU ms per report: oracle ${median.e2e.cpuMsPerReport.toFixed(3)} (all threads; main thread ${ms(median.e2e.mainThreadCpuMsPerReport)}), PostgreSQL ${ms(median.e2e.servers.postgres)}, ` +
    `mosquitto ${ms(median.e2e.servers.mosquitto)}, publisher ${median.e2e.publisherCpuMsPerReport.toFixed(3)}; PostgreSQL in the plain INSERT ${ms(median.insert.postgresCpuMsPerRow)} per row; peak oracle RSS ${mb(median.e2e.peakRss)}, ` +
    `peak unacknowledged reports per oracle ${median.e2e.peakUnacknowledged}`,
);
console.log(`BENCH oracle-ingest-end-to-end${ORACLES > 1 ? `-${ORACLES}-oracles` : ''}: ${median.e2e.perSecond.toFixed(0)} reports/s | baseline ${median.insert.perSecond.toFixed(0)} rows/s plain multi-row INSERT | ratio ${ratio(median).toFixed(2)}`);
process.exit(0);
