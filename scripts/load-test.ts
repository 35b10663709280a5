import { fileURLToPath } from 'node:url';
import { MAPPER_MIGRATIONS_DIR } from '@poc/mapper/migrations';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
/**
 * Load test: N simulated hotspots (real bridge code, in-process radio link) → real mosquitto → an oracle process →
 * embedded PostgreSQL, for a bounded time. Prints reports/s, ingest lag percentiles (oracle received_at minus the
 * report's own timestamp) and the peak RSS of every process.
 *
 *   npx tsx scripts/load-test.ts [hotspots=10000] [seconds=120]
 */
import { planFleet, type FleetStats } from '@poc/simulator';
import { generateHotspotKeypair } from '@poc/protocol';
import { fork } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectDatabase } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { migrate } from '@poc/db';
import { upsertHotspots } from '@poc/oracle';
import { startChildOracle } from '@poc/devnet/child-oracle';
import { startMosquitto } from '@poc/devnet/mosquitto';

const HOTSPOTS = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 120);
const DRAIN_SECONDS = 60;
const BEACON_INTERVAL_S = 60;
const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, '.data', `load-test-${process.pid}`);

const status = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};
const children = (parent: number) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === String(parent);
      } catch {
        return false;
      }
    })
    .map(Number);
const findPid = (match: (cmdline: string) => boolean) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .find((pid) => {
      try {
        return match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      } catch {
        return false;
      }
    });
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const started = Date.now();
  const pg = await startEmbeddedPostgres({ dataDir, database: 'loadtest', persistent: false });
  const sql = connectDatabase(pg.url, { max: 4 });
  await migrate(sql, [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);
  const broker = await startMosquitto();
  const mosquittoPid = findPid((c) => c.includes('mosquitto') && readConfPort(c) === broker.port);
  const plan = { count: HOTSPOTS, seed: 'load-test' };
  const hotspots = planFleet(plan);
  for (let i = 0; i < hotspots.length; i += 2000) {
    await upsertHotspots(sql, hotspots.slice(i, i + 2000).map((h) => ({ address: h.address, name: h.name, region: h.region, locationH3: h.h3, gainDdbi: h.gainDdbi, elevationM: h.elevationM })));
  }
  const oracleKeys = generateHotspotKeypair();
  const oracle = await startChildOracle(fileURLToPath(new URL('../test/faults/oracle-child.ts', import.meta.url)), {
    databaseUrl: pg.url,
    mqttUrl: broker.url,
    mqttClientId: 'oracle-load',
    oracleSecretHex: Buffer.from(oracleKeys.secretKey).toString('hex'),
    epochSeconds: 60,
    beaconIntervalSeconds: BEACON_INTERVAL_S,
    entropyIntervalSeconds: 15,
    workerThreads: 1,
  });
  const oraclePid = oracle.process.pid!;

  let fleetStats: FleetStats | null = null;
  const fleet = fork(join(root, 'scripts', 'fleet-process.ts'), [
    JSON.stringify({ plan, mqttUrl: broker.url, oracleAddress: oracleKeys.address, dataDir: join(dataDir, 'bridges'), beaconIntervalSeconds: BEACON_INTERVAL_S, radioSeed: 1, logLevel: 'warn' }),
  ], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolveStarted, reject) => {
    fleet.on('message', (m: { type?: string; stats?: FleetStats }) => {
      if (m.type === 'started') resolveStarted();
      if (m.type === 'stats' && m.stats) fleetStats = m.stats;
    });
    fleet.once('exit', (code) => reject(new Error(`fleet process exited with ${code}`)));
  });
  const fleetStartSeconds = (Date.now() - started) / 1000;
  console.log(`load test: ${HOTSPOTS} hotspots started in ${fleetStartSeconds.toFixed(0)} s; measuring for ${SECONDS} s`);

  const stored = async () => {
    const [r] = await sql<{ n: bigint }[]>`SELECT (SELECT count(*) FROM beacon_reports) + (SELECT count(*) FROM witness_reports) AS n`;
    return Number(r!.n);
  };
  const peak = { oracle: 0, fleet: 0, mosquitto: 0, postgres: 0, runner: 0 };
  const sample = () => {
    peak.oracle = Math.max(peak.oracle, status(oraclePid, 'VmRSS'));
    peak.fleet = Math.max(peak.fleet, status(fleet.pid!, 'VmRSS'));
    if (mosquittoPid) peak.mosquitto = Math.max(peak.mosquitto, status(mosquittoPid, 'VmRSS'));
    const postmaster = Number(readFileSync(join(dataDirOf(pg.url, dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
    peak.postgres = Math.max(peak.postgres, [postmaster, ...children(postmaster)].reduce((s, pid) => s + status(pid, 'VmRSS'), 0));
    peak.runner = Math.max(peak.runner, process.memoryUsage().rss);
  };
  const windowStart = new Date();
  const storedAtStart = await stored();
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5000));
    sample();
    const f = fleetStats as FleetStats | null;
    console.log(`  t+${Math.round((Date.now() - windowStart.getTime()) / 1000)} s stored ${await stored()} | fleet published ${f?.published ?? '?'} acked ${f?.acknowledged ?? '?'} queued ${f?.queueDepth ?? '?'}`);
  }
  const windowEnd = new Date();
  const storedAtEnd = await stored();
  const fleetAtEnd = fleetStats as FleetStats | null;
  peak.oracle = Math.max(peak.oracle, status(oraclePid, 'VmHWM'));
  peak.fleet = Math.max(peak.fleet, status(fleet.pid!, 'VmHWM'));
  if (mosquittoPid) peak.mosquitto = Math.max(peak.mosquitto, status(mosquittoPid, 'VmHWM'));

  // The fleet's graceful stop flushes its queues; bound it (the drain below measures what the broker still holds).
  fleet.send({ type: 'stop' });
  await new Promise<void>((r) => {
    if (fleet.exitCode !== null) return r();
    const timer = setTimeout(() => fleet.kill('SIGKILL'), 30_000);
    fleet.once('exit', () => {
      clearTimeout(timer);
      r();
    });
  });
  // Drain: whatever the broker and oracle still hold.
  let last = -1;
  const drainDeadline = Date.now() + DRAIN_SECONDS * 1000;
  let drained = await stored();
  while (Date.now() < drainDeadline && drained !== last) {
    last = drained;
    await new Promise((r) => setTimeout(r, 3000));
    drained = await stored();
  }
  const [lag] = await sql<{ p50: number; p95: number; p99: number; max: number; n: bigint }[]>`
    WITH l AS (
      SELECT extract(epoch FROM received_at) - report_ts_ns / 1e9 AS s FROM beacon_reports WHERE received_at BETWEEN ${windowStart} AND ${windowEnd}
      UNION ALL
      SELECT extract(epoch FROM received_at) - report_ts_ns / 1e9 FROM witness_reports WHERE received_at BETWEEN ${windowStart} AND ${windowEnd})
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY s) AS p95,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99, max(s) AS max, count(*) AS n FROM l`;
  const [kinds] = await sql<{ b: bigint; w: bigint; r: bigint }[]>`SELECT (SELECT count(*) FROM beacon_reports) AS b, (SELECT count(*) FROM witness_reports) AS w, (SELECT coalesce(sum(count), 0) FROM rejected_messages) AS r`;
  const seconds = (windowEnd.getTime() - windowStart.getTime()) / 1000;
  const rate = (storedAtEnd - storedAtStart) / seconds;
  const fmt = (s: number | null | undefined) => (s === null || s === undefined ? 'n/a' : `${(Number(s) * 1000).toFixed(0)} ms`);
  console.log(`
LOAD TEST RESULT (${HOTSPOTS} hotspots, ${seconds.toFixed(0)} s window, beacon interval ${BEACON_INTERVAL_S} s, ${process.env.HOSTNAME ?? 'this machine'})
  fleet start-up              ${fleetStartSeconds.toFixed(0)} s
  reports stored in window    ${storedAtEnd - storedAtStart} (${rate.toFixed(0)} reports/s); after drain ${drained} total (${kinds!.b} beacons, ${kinds!.w} witnesses, ${kinds!.r} rejected)
  fleet at window end         published ${fleetAtEnd?.published ?? '?'}, acknowledged ${fleetAtEnd?.acknowledged ?? '?'}, queued on bridges ${fleetAtEnd?.queueDepth ?? '?'}
  ingest lag (received_at − report timestamp, ${lag!.n} reports) p50 ${fmt(lag!.p50)}, p95 ${fmt(lag!.p95)}, p99 ${fmt(lag!.p99)}, max ${fmt(lag!.max)}
  peak RSS                    oracle ${mb(peak.oracle)}, fleet ${mb(peak.fleet)}, mosquitto ${mb(peak.mosquitto)}, PostgreSQL (all backends) ${mb(peak.postgres)}, runner ${mb(peak.runner)}
BENCH load-test ${HOTSPOTS} hotspots: ${rate.toFixed(0)} reports/s | ingest lag p95 ${fmt(lag!.p95)}`);

  await oracle.stop();
  await broker.stop();
  await sql.end({ timeout: 5 });
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function readConfPort(cmdline: string): number | null {
  const conf = /-c (\S+)/.exec(cmdline)?.[1];
  if (!conf) return null;
  try {
    return Number(/^listener (\d+)/m.exec(readFileSync(conf, 'utf8'))?.[1]);
  } catch {
    return null;
  }
}

/** The cluster directory embedded.ts used (as root it may fall back to /var/tmp when the path is private). */
function dataDirOf(_url: string, requested: string): string {
  return join(requested, 'pg');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
