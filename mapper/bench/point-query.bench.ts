import { MAPPER_MIGRATIONS_DIR } from '../src/migrations';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
/**
 * Point-query benchmark on 1,000,000 res-9 coverage hexes (plus their res 4..8 rollups) in a real embedded PostgreSQL.
 * The servers run in a child process; autocannon drives them from this one, first a bare fastify route
 * (baseline), then GET /v1/coverage/point with an API key (every request at a random point in the covered disk).
 *   tsx mapper/bench/point-query.bench.ts   (BENCH_SECONDS, BENCH_CONNECTIONS to tune;
 *   BENCH_CPU_PROF=<file.cpuprofile> writes the server's CPU profile of the measured point-query run)
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { cellToLatLng, cellToParent, gridDisk, latLngToCell } from 'h3-js';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { migrate } from '@poc/db';
import { createApiKey } from '../src/api-keys';
import { buildMapperServer } from '../src/server';

const CENTRE = { lat: 52.37, lng: 4.89 };
const RADIUS = 577; // gridDisk(577) holds 1,000,519 cells
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function seed(url: string): Promise<{ count: number; key: string }> {
  const sql = connectDatabase(url, { max: 2 });
  await migrate(sql, [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);
  const cells = gridDisk(latLngToCell(CENTRE.lat, CENTRE.lng, 9), RADIUS);
  const first = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const last = new Date().toISOString();
  const rollups = new Map<string, { res: number; rssi: number; n: number }>();
  const rows = function* () {
    let i = 0;
    for (const h3 of cells) {
      const rssi = -1300 + ((i * 7919) % 700); // −130 … −60 dBm, spread over all classes
      i++;
      for (let res = 4; res <= 8; res++) {
        const p = cellToParent(h3, res);
        const r = rollups.get(p);
        if (r) {
          r.rssi = Math.max(r.rssi, rssi);
          r.n++;
        } else rollups.set(p, { res, rssi, n: 1 });
      }
      yield `${h3}\t9\t${rssi}\t${50 - (i % 200)}\t${1 + (i % 9)}\t${1 + (i % 3)}\t${first}\t${last}\n`;
    }
    for (const [h3, r] of rollups) yield `${h3}\t${r.res}\t${r.rssi}\t50\t${r.n}\t3\t${first}\t${last}\n`;
  };
  const started = Date.now();
  const writable = await sql`COPY coverage_hexes (h3, resolution, best_rssi, best_snr, witness_count, hotspot_count, first_seen_at, last_seen_at) FROM STDIN`.writable();
  await pipeline(Readable.from(rows()), writable);
  await sql`ANALYZE coverage_hexes`;
  const [row] = await sql<{ count: bigint }[]>`SELECT count(*) FROM coverage_hexes WHERE resolution = 9`;
  const count = row?.count ?? 0n;
  console.log(`seeded ${count} res-9 hexes and ${rollups.size} rollups in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const key = await createApiKey(sql, 'benchmark', 100_000_000);
  await sql.end();
  return { count: Number(count), key: key.key };
}

/** Child process: the real mapper server and a bare fastify route, each on its own port. */
async function serve() {
  const url = process.env.BENCH_DATABASE_URL!;
  const sql = connectDatabase(url, { max: 16 });
  const mapper = await buildMapperServer({ sql, logger: false, coverageIndex: 'await' });
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ ok: true }));
  const mapperUrl = await mapper.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ mapperUrl, bareUrl }));
  // A line on stdin starts the CPU profiler, the next one writes the profile (BENCH_CPU_PROF).
  const inspector = new Session();
  let profiling = false;
  createInterface({ input: process.stdin }).on('line', () => {
    if (!profiling) {
      inspector.connect();
      inspector.post('Profiler.enable', () => inspector.post('Profiler.start', () => console.log('PROFILING')));
    } else {
      inspector.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(process.env.BENCH_CPU_PROF!, JSON.stringify(result.profile));
        console.log('PROFILED');
      });
    }
    profiling = !profiling;
  });
  process.stdin.on('end', async () => {
    await mapper.close();
    await bare.close();
    await sql.end();
    process.exit(0);
  });
}

function randomPointPath(): string {
  // Uniform in a box inside the covered disk (~55 km radius at res 9).
  const lat = CENTRE.lat + (Math.random() - 0.5) * 0.6;
  const lng = CENTRE.lng + (Math.random() - 0.5) * 0.9;
  return `/v1/coverage/point?lat=${lat.toFixed(6)}&lng=${lng.toFixed(6)}`;
}

async function load(url: string, path: string | null, headers: Record<string, string>) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    requests: [path ? { method: 'GET', path } : { method: 'GET', setupRequest: (req) => ({ ...req, path: randomPointPath() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors against ${url}`);
  return { rps: result.requests.average, p99: result.latency.p99, total: result.requests.total };
}

async function main() {
  const pg = await startEmbeddedPostgres({ dataDir: '.data/bench-mapper-postgres', persistent: false, database: 'bench_mapper' });
  try {
    const { count, key } = await seed(pg.url);
    if (count < 1_000_000) throw new Error(`expected ≥ 1,000,000 hexes, have ${count}`);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_ROLE: 'server', BENCH_DATABASE_URL: pg.url },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let profilerAnswered: (() => void) | null = null;
    const profilerStep = () => new Promise<void>((resolve) => ((profilerAnswered = resolve), child.stdin!.write('\n')));
    const urls = await new Promise<{ mapperUrl: string; bareUrl: string }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('{')) resolve(JSON.parse(line));
        if (line.startsWith('PROFIL')) profilerAnswered?.();
      });
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
    });
    try {
      // Sanity: the real route answers covered at the centre.
      const probe = await fetch(`${urls.mapperUrl}/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}`, { headers: { 'x-api-key': key } });
      const body = (await probe.json()) as { covered: boolean };
      if (!body.covered) throw new Error('centre point is not covered: the dataset is wrong');
      await load(urls.mapperUrl, null, { 'x-api-key': key }); // warm-up (caches, JIT, PostgreSQL buffers)
      const bare = await load(urls.bareUrl, '/bare', {});
      if (process.env.BENCH_CPU_PROF) await profilerStep();
      const point = await load(urls.mapperUrl, null, { 'x-api-key': key });
      if (process.env.BENCH_CPU_PROF) await profilerStep();
      console.log(`bare fastify: ${bare.rps.toFixed(0)} req/s, p99 ${bare.p99} ms (${bare.total} requests)`);
      console.log(`point query:  ${point.rps.toFixed(0)} req/s, p99 ${point.p99} ms (${point.total} requests, ${count} hexes, ${CONNECTIONS} connections)`);
      console.log(`BENCH mapper-point-query-p99: ${point.p99} ms | baseline ${bare.p99} ms | ratio ${(point.p99 / Math.max(bare.p99, 0.001)).toFixed(2)}`);
      console.log(`BENCH mapper-point-query: ${point.rps.toFixed(0)} req/s | baseline ${bare.rps.toFixed(0)} req/s | ratio ${(point.rps / bare.rps).toFixed(3)}`);
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await pg.stop();
  }
}

if (process.env.BENCH_ROLE === 'server') await serve();
else await main();
