/**
 * Load test: pre-signed witness report streams (signed before the clock starts, so the sender is not the
 * bottleneck) published at QoS 1 at a fixed rate → MQTT broker → oracle ingest processes → PostgreSQL, one bounded
 * step per rate. The base rate is what 1,000,000 hotspots send at Helium's beacon interval (36 M reports a day
 * ≈ 417/s); the steps multiply it. The publisher (scripts/load-test-publisher.ts) writes pre-encoded MQTT packets
 * on an open-loop schedule and tells apart lateness of its own from lateness the broker imposed. Prints per step:
 * intended vs offered rate, acknowledged/s, stored/s, lost, lag percentiles and peak memory per process.
 * docs/operations.md §6 has the results.
 *
 *   npx tsx scripts/load-test.ts [--steps 1,10] [--seconds 60] [--drain-seconds 60] [--reports-per-day 36000000]
 *     [--oracles 1] [--threads 2] [--clients 8] [--in-flight 2000] [--hotspots 2000]
 *     [--broker mqtt://h1:1883,mqtt://h2:1883] [--database-url postgres://…]
 *
 * Without --broker it starts Debian mosquitto; without --database-url an embedded PostgreSQL. With --broker the
 * publishers spread over the URLs and the oracles subscribe on the first (`$share` when --oracles > 1); with
 * --oracles 0 some other consumer is expected to fill --database-url.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectDatabase, migrate } from '@poc/db';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@poc/devnet/postgres';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import type { LoadTestPublisherOptions, PublisherResult } from './load-test-publisher';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1,10' },
    seconds: { type: 'string', default: '60' },
    'reports-per-day': { type: 'string', default: '36000000' },
    oracles: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    clients: { type: 'string', default: '8' },
    'in-flight': { type: 'string', default: '2000' },
    hotspots: { type: 'string', default: '2000' },
    'drain-seconds': { type: 'string', default: '60' },
    broker: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a number ≥ 0, got ${value}`);
  return n;
};
const STEPS = args.steps!.split(',').map((s) => positive('steps', s));
const SECONDS = positive('seconds', args.seconds);
const BASE_RATE = positive('reports-per-day', args['reports-per-day']) / 86_400;
const ORACLES = positive('oracles', args.oracles);
const THREADS = positive('threads', args.threads);
const CLIENTS = Math.max(1, positive('clients', args.clients));
const IN_FLIGHT = Math.min(65_534, Math.max(1, positive('in-flight', args['in-flight'])));
/** A report not sent within this many seconds past its step's window counts as unsent. */
const SEND_GRACE_SECONDS = 5;
const HOTSPOT_KEYS = Math.max(1, positive('hotspots', args.hotspots));
const DRAIN_SECONDS = positive('drain-seconds', args['drain-seconds']);
/** A drain that keeps storing stops after this many --drain-seconds all the same (the step's time bound). */
const DRAIN_LIMIT = 10;
const POLL_MS = 500;
const root = resolve(import.meta.dirname, '..');
const support = (name: string) => join(root, 'oracle', 'bench', 'support', name);
const dataDir = join(root, '.data', `load-test-${process.pid}`);

const rssOf = (pid: number | undefined): number => {
  if (!pid) return 0;
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
const processes = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        return { pid: Number(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '), ppid: Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) };
      } catch {
        return null;
      }
    })
    .filter((p) => p !== null);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)}`;

function child(file: string, options: object): ChildProcess {
  return fork(file, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
function nextMessage<T extends { type: string }>(p: ChildProcess, type: string): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      p.off('message', onMessage);
      p.off('exit', onExit);
      resolveMessage(m);
    };
    const onExit = (code: number | null) => reject(new Error(`${p.spawnfile} exited (${code}) before '${type}'`));
    p.on('message', onMessage);
    p.once('exit', onExit);
  });
}
const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));

interface OracleStats {
  rssBytes: number;
  unacknowledged: number;
  stalls: number;
}
const oracleStats = (oracles: ChildProcess[]) =>
  Promise.all(
    oracles.map((o) => {
      const answer = nextMessage<OracleStats & { type: string }>(o, 'stats');
      o.send({ type: 'stats' });
      return answer;
    }),
  );

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);

async function main() {
  let pg: EmbeddedDatabase | null = null;
  const databaseUrl = args['database-url'] ?? (pg = await startEmbeddedPostgres({ dataDir, database: 'loadtest', persistent: false })).url;
  const sql = connectDatabase(databaseUrl, { max: 2 });
  await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
  let broker: MosquittoBroker | null = null;
  // The queue a deployment gives the oracles' sessions (docs/operations.md, "Ingest flow control": 1,000,000 reports,
  // ≥ 1 GB): a step that falls behind leaves its backlog there, and with the tests' 100,000 mosquitto drops the rest.
  const brokerUrls = args.broker ? args.broker.split(',') : [(broker = await startMosquitto({ queue: { maxMessages: 1_000_000, maxBytes: 1024 ** 3 } })).url];
  const listensOn = (cmdline: string, port: number) => {
    try {
      return readFileSync(/-c (\S+)/.exec(cmdline)?.[1] ?? '', 'utf8').includes(`listener ${port} `);
    } catch {
      return false;
    }
  };
  const mosquittoPid = broker ? processes().find((p) => p.cmdline.includes('mosquitto') && listensOn(p.cmdline, broker!.port))?.pid : undefined;
  const postmasterPid = pg ? Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined;
  const postgresRss = () => (postmasterPid ? [postmasterPid, ...processes().filter((p) => p.ppid === postmasterPid).map((p) => p.pid)].reduce((s, pid) => s + rssOf(pid), 0) : 0);

  const oracles = Array.from({ length: ORACLES }, (_, i) =>
    child(support('ingest-oracle.ts'), { databaseUrl, mqttUrl: brokerUrls[0], clientId: `load-test-oracle-${i}`, workerThreads: THREADS, sharedSubscriptionGroup: ORACLES > 1 ? 'load-test' : null }),
  );
  await Promise.all(oracles.map((o) => nextMessage(o, 'ready')));
  console.log(`load test: base rate ${BASE_RATE.toFixed(0)} reports/s (${args['reports-per-day']} a day), steps ×${STEPS.join(', ×')}, ${SECONDS} s each; brokers ${brokerUrls.join(', ')}; ${ORACLES} oracle process(es) × ${THREADS} verify threads`);

  const results: string[] = [];
  try {
    for (const [stepIndex, multiplier] of STEPS.entries()) {
      const rate = BASE_RATE * multiplier;
      const count = Math.round(rate * SECONDS);
      const publisherOptions: LoadTestPublisherOptions = {
        brokerUrls,
        clients: CLIENTS,
        count,
        hotspots: HOTSPOT_KEYS,
        ratePerSecond: rate,
        streamId: 1000 + stepIndex,
        maxInFlightPerClient: IN_FLIGHT,
        sendWindowMs: (SECONDS + SEND_GRACE_SECONDS) * 1000,
        ackTimeoutMs: DRAIN_SECONDS * 1000,
      };
      const publisher = child(join(root, 'scripts', 'load-test-publisher.ts'), publisherOptions);
      const { startAtMs } = await nextMessage<{ type: string; startAtMs: number }>(publisher, 'ready');
      let acknowledged = 0;
      let sent = 0;
      publisher.on('message', (m: { type?: string; acknowledged?: number; sent?: number }) => {
        if (m.type === 'progress' || m.type === 'done') {
          acknowledged = m.acknowledged ?? acknowledged;
          sent = m.sent ?? sent;
        }
      });
      const firstNs = BigInt(startAtMs) * 1_000_000n;
      const endNs = firstNs + BigInt(Math.ceil((count / rate) * 1e9)) + 1n;
      await new Promise((r) => setTimeout(r, Math.max(0, startAtMs - Date.now())));
      const done = nextMessage<PublisherResult>(publisher, 'done');
      publisher.send({ type: 'go' });

      // Which planned report (tmst = its index) is committed, seen every POLL_MS: lag = seen − due.
      const committedLagMs: number[] = [];
      const seen = new Uint8Array(count);
      const windowEnd = startAtMs + SECONDS * 1000;
      let lastCommitSeenMs = 0;
      // The pipeline keeps pace when it stores at the intended rate once warm: measured between the first and the
      // last poll of the window's second half.
      const secondHalfStart = startAtMs + SECONDS * 500;
      const secondHalf = { firstMs: 0, firstStored: 0, lastMs: 0, lastStored: 0 };
      let floor = 0;
      const peak = { oracle: 0, mosquitto: 0, postgres: 0, publisher: 0, unacknowledged: 0, stalls: 0 };
      const poll = async () => {
        const rows = await sql<{ tmst: string }[]>`
          SELECT tmst FROM witness_reports WHERE report_ts_ns >= ${firstNs.toString()} AND report_ts_ns < ${endNs.toString()} AND tmst >= ${floor}`;
        const now = Date.now();
        for (const { tmst } of rows) {
          const i = Number(tmst);
          if (i < count && !seen[i]) {
            seen[i] = 1;
            lastCommitSeenMs = now;
            committedLagMs.push(now - (startAtMs + (i * 1000) / rate));
          }
        }
        while (floor < count && seen[floor]) floor++;
        if (now >= secondHalfStart && now < windowEnd) {
          if (!secondHalf.firstMs) Object.assign(secondHalf, { firstMs: now, firstStored: committedLagMs.length });
          Object.assign(secondHalf, { lastMs: now, lastStored: committedLagMs.length });
        }
        const s = await oracleStats(oracles);
        peak.oracle = Math.max(peak.oracle, ...s.map((x) => x.rssBytes), 0);
        peak.unacknowledged = Math.max(peak.unacknowledged, ...s.map((x) => x.unacknowledged), 0);
        peak.stalls = Math.max(peak.stalls, s.reduce((t, x) => t + x.stalls, 0));
        peak.mosquitto = Math.max(peak.mosquitto, rssOf(mosquittoPid));
        peak.postgres = Math.max(peak.postgres, postgresRss());
        peak.publisher = Math.max(peak.publisher, rssOf(publisher.pid));
      };
      let lastPrint = Date.now();
      while (Date.now() < windowEnd) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        await poll();
        if (Date.now() - lastPrint >= 10_000) {
          lastPrint = Date.now();
          const due = Math.min(count, Math.floor(((Date.now() - startAtMs) / 1000) * rate));
          console.log(`  ×${multiplier} t+${Math.round((Date.now() - startAtMs) / 1000)} s: due ${due}, sent ${sent}, acknowledged by broker ${acknowledged}, committed ${committedLagMs.length}`);
        }
      }
      const storedInWindow = committedLagMs.length;
      const published = await done;
      // A step that fell behind leaves acknowledged reports queued at the broker: drain for as long as they keep being
      // stored, so `lost` counts only reports the pipeline stopped storing (none stored for --drain-seconds), bounded
      // by DRAIN_LIMIT times that.
      const drainStarted = Date.now();
      let progressAt = drainStarted;
      while (committedLagMs.length < published.acknowledged && Date.now() - progressAt < DRAIN_SECONDS * 1000 && Date.now() - drainStarted < DRAIN_LIMIT * DRAIN_SECONDS * 1000) {
        const before = committedLagMs.length;
        await new Promise((r) => setTimeout(r, POLL_MS));
        await poll();
        if (committedLagMs.length > before) progressAt = Date.now();
      }
      const [dup] = await sql<{ n: string }[]>`SELECT coalesce(sum(count), 0) AS n FROM rejected_messages WHERE reason = 'duplicate'`;
      publisher.send({ type: 'exit' });
      await exited(publisher);
      const lost = published.acknowledged - committedLagMs.length;
      const secondHalfRate = secondHalf.lastMs > secondHalf.firstMs ? ((secondHalf.lastStored - secondHalf.firstStored) * 1000) / (secondHalf.lastMs - secondHalf.firstMs) : NaN;
      // Behind = a report more than a second late at p99, or reports left unsent; whose fault is told by where the
      // late reports waited (the publisher's timer, or a full window / socket backlog towards the broker).
      const unsent = count - published.sent;
      const publisherBehind = published.publisherLateMs[1] >= 1000 || (unsent > 0 && published.heldByBroker === 0);
      const brokerBehind = published.heldByBroker > 0 && (unsent > 0 || published.brokerLateMs[0] >= 1000);
      console.log(
        `  ×${multiplier} publisher: sent ${published.sent} of ${count} in ${published.sendSeconds.toFixed(1)} s (offered ${(published.sent / Math.max(published.sendSeconds, 1e-3)).toFixed(0)}/s, intended ${rate.toFixed(0)}/s); ` +
          `own lateness p50 / p99 / max ${published.publisherLateMs.join(' / ')} ms; held by the broker (window of ${IN_FLIGHT} or socket backlog) ${published.heldByBroker} reports, lateness p99 / max ${published.brokerLateMs.join(' / ')} ms; ` +
          `CPU ${published.cpuSeconds.toFixed(1)} s (${((100 * published.cpuSeconds) / Math.max(published.ackSeconds, 1e-3)).toFixed(0)}% of one core); ` +
          `connections closed ${published.closedConnections}, unexpected PUBACKs ${published.unexpectedAcknowledgements}`,
      );
      const failures = [
        publisherBehind && 'PUBLISHER fell behind (offered < intended)',
        brokerBehind && 'the broker/network held the publisher back',
        published.acknowledged < published.sent && `${published.sent - published.acknowledged} sent but not acknowledged`,
        lost > 0 && `${lost} lost`,
        !(secondHalfRate >= 0.95 * rate) && 'the pipeline fell behind (stored < intended)',
      ].filter(Boolean);
      const verdict = failures.length ? failures.join('; ') : 'held';
      const sorted = [...committedLagMs].sort((a, b) => a - b);
      const lag = [0.5, 0.95, 0.99].map((p) => (percentile(sorted, p) / 1000).toFixed(2)).join(' / ') + ` / max ${((sorted.at(-1) ?? NaN) / 1000).toFixed(2)}`;
      const line =
        `| ×${multiplier} (${rate.toFixed(0)}/s) | ${SECONDS} s | ${count} | ${(published.sent / Math.max(published.sendSeconds, 1e-3)).toFixed(0)}/s (${published.sent} sent, own p99 ${published.publisherLateMs[1]} ms) | ` +
        `${published.heldByBroker} | ${(published.acknowledged / Math.max(published.ackSeconds, 1e-3)).toFixed(0)}/s (${published.acknowledged}) | ${(storedInWindow / SECONDS).toFixed(0)}/s (second half ${secondHalfRate.toFixed(0)}/s) | ` +
        `${committedLagMs.length}${committedLagMs.length ? ` (${((lastCommitSeenMs - windowEnd) / 1000).toFixed(1)} s)` : ''} | ${lost} | ${dup!.n} | ${lag} s | ${mb(peak.oracle)} / ${mb(peak.mosquitto)} / ${mb(peak.postgres)} / ${mb(peak.publisher)} / ${mb(process.memoryUsage().rss)} MB | ${peak.unacknowledged} (${peak.stalls} stalls) | ${verdict} |`;
      console.log(line);
      results.push(line);
    }
  } finally {
    for (const o of oracles) o.send({ type: 'stop' });
    await Promise.all(oracles.map(exited));
    await broker?.stop();
    await sql.end({ timeout: 5 });
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`
LOAD TEST RESULT (lag = committed, as seen by a ${POLL_MS} ms poller, minus the moment the report was due; duplicates: redeliveries absorbed, cumulative)
| step | window | planned | offered (sent/s; publisher's own lateness p99) | held back by broker | acknowledged (PUBACK) | stored in window | stored after drain (last one after the window) | lost | duplicates | lag p50 / p95 / p99 | peak RSS oracle / mosquitto / PostgreSQL / publisher / runner | peak unacknowledged per oracle | verdict |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${results.join('\n')}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
