import { MAPPER_MIGRATIONS_DIR } from '../src/migrations';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
/**
 * Point-query benchmark on 1,000,000 res-9 coverage hexes (plus their res 4..8 rollups) and 1,000 located hotspots
 * (the estimates: ≈ 0.2 hotspots/km² over the queried box, a few hundred in reach of each point) in a real embedded
 * PostgreSQL. The servers run in a child process; autocannon drives them from this one: a bare fastify route
 * (baseline) and GET /v1/coverage/point with an API key (every request at a random point in the covered disk, half
 * of them for a described device). The point query is measured twice: right after a warm-up (about half the
 * (cell, device) pairs are new, so about half the requests compute an estimate: `mapper-point-query`), and once every
 * pair of the box has been asked once (every estimate kept: `mapper-point-query-kept`). Each measurement alternates
 * rounds of the bare route and the point query (BENCH_ROUNDS of BENCH_SECONDS / BENCH_ROUNDS seconds each) and reports
 * the median round's ratio: other load on a shared machine comes and goes within a minute, and a ratio of two runs
 * ten seconds apart moved by half between runs (mapper/README.md, "Reading the point-query benchmark"). Besides the
 * rates it prints the server's CPU time per request, which such load disturbs less than the rates.
 *   tsx mapper/bench/point-query.bench.ts   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_HOTSPOTS to tune;
 *   BENCH_CPU_PROF=<file.cpuprofile> writes the server's CPU profile of each measurement's rounds, the bare route's
 *   included: <file>.cpuprofile and <file>.kept.cpuprofile)
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { cellToLatLng, cellToParent, gridDisk, latLngToCell, polygonToCells } from 'h3-js';
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
import { seededUniform } from '../test/seeded-random';

const CENTRE = { lat: 52.37, lng: 4.89 };
const RADIUS = 577; // gridDisk(577) holds 1,000,519 cells
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HOTSPOTS = Number(process.env.BENCH_HOTSPOTS ?? 1_000);
/** Antenna gains (dBi×10) the hotspots cycle through: a handful of hotspot classes, as in a real network. */
const HOTSPOT_GAINS = [12, 23, 30, 40, 58, 80];
/** Half the requests use the default device, the rest one of these (query suffixes). */
const DEVICES = ['', '', '', '&environment=indoor', '&spreading_factor=7&tx_power_dbm=20', '&antenna_gain_dbi=2.5'];

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
  // Hotspots over a box a little larger than the one the requests fall in (randomPointPath).
  const random = seededUniform(9);
  const hotspots = Array.from({ length: HOTSPOTS }, (_, i) => {
    const lat = CENTRE.lat + (random() - 0.5) * 0.8;
    const lng = CENTRE.lng + (random() - 0.5) * 1.2;
    const pubkey = Buffer.alloc(32);
    pubkey.writeUInt32BE(i);
    return { address: `bench-hotspot-${i}`, pubkey, name: `Bench ${i}`, region: 'EU868', location_h3: latLngToCell(lat, lng, 12), lat, lng, gain_ddbi: HOTSPOT_GAINS[i % HOTSPOT_GAINS.length]! };
  });
  for (let i = 0; i < hotspots.length; i += 1_000) await sql`INSERT INTO hotspots ${sql(hotspots.slice(i, i + 1_000))}`;
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
  // Commands on stdin: `cpu` prints the process's CPU time so far; `profile` starts the CPU profiler,
  // `profile <file>` stops it and writes the profile there.
  const inspector = new Session();
  inspector.connect();
  createInterface({ input: process.stdin }).on('line', (command) => {
    if (command === 'cpu') {
      const used = process.cpuUsage();
      console.log(`CPU ${used.user} ${used.system}`);
    } else if (command === 'profile') {
      inspector.post('Profiler.enable', () => inspector.post('Profiler.start', () => console.log('PROFILING')));
    } else if (command.startsWith('profile ')) {
      inspector.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(command.slice('profile '.length), JSON.stringify(result.profile));
        console.log('PROFILED');
      });
    }
  });
  process.stdin.on('end', async () => {
    await mapper.close();
    await bare.close();
    await sql.end();
    process.exit(0);
  });
}

/** The box the requests fall in, uniformly: inside the covered disk (~55 km radius at res 9). */
const BOX = { south: CENTRE.lat - 0.3, north: CENTRE.lat + 0.3, west: CENTRE.lng - 0.45, east: CENTRE.lng + 0.45 };

function randomPointPath(): string {
  const lat = BOX.south + Math.random() * (BOX.north - BOX.south);
  const lng = BOX.west + Math.random() * (BOX.east - BOX.west);
  return `/v1/coverage/point?lat=${lat.toFixed(6)}&lng=${lng.toFixed(6)}${DEVICES[Math.floor(Math.random() * DEVICES.length)]}`;
}

/**
 * One request for every (res-9 cell of the box, device) pair, at the cell's centre: after them every estimate the
 * random load can ask for is kept, as for a carrier whose devices keep asking about the same city.
 */
function everyCellAndDevicePath(): { paths: string[]; next: () => string } {
  const ring = [[BOX.west, BOX.south], [BOX.east, BOX.south], [BOX.east, BOX.north], [BOX.west, BOX.north], [BOX.west, BOX.south]];
  const cells = polygonToCells([ring], 9, true);
  const paths = [...new Set(DEVICES)].flatMap((device) => cells.map((h3) => {
    const [lat, lng] = cellToLatLng(h3);
    return `/v1/coverage/point?lat=${lat.toFixed(6)}&lng=${lng.toFixed(6)}${device}`;
  }));
  let i = 0;
  return { paths, next: () => paths[i++ % paths.length]! };
}

/** What one answer puts on the wire besides the status line: header count and bytes, body bytes. */
async function responseSize(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  let headerBytes = 0;
  let count = 0;
  response.headers.forEach((value, name) => ((headerBytes += name.length + value.length + 4), count++));
  return { headers: count, headerBytes, bodyBytes: body.byteLength };
}

/** Load for `seconds` on `path`, on random points, or `amount` requests on the paths `next` gives. */
async function load(url: string, path: string | null, headers: Record<string, string>, seconds: number, sequence?: { amount: number; next: () => string }) {
  const nextPath = sequence?.next ?? randomPointPath;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(sequence ? { amount: sequence.amount } : { duration: seconds }),
    headers,
    requests: [path ? { method: 'GET', path } : { method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors against ${url}`);
  return { rps: result.requests.average, p99: result.latency.p99, total: result.requests.total };
}

type Round = { rps: number; p99: number; total: number; userUsPerRequest: number; systemUsPerRequest: number; cpuUsPerRequest: number };

async function main() {
  const pg = await startEmbeddedPostgres({ dataDir: '.data/bench-mapper-postgres', persistent: false, database: 'bench_mapper' });
  try {
    const { count, key } = await seed(pg.url);
    if (count < 1_000_000) throw new Error(`expected ≥ 1,000,000 hexes, have ${count}`);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_ROLE: 'server', BENCH_DATABASE_URL: pg.url },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let answered: ((line: string) => void) | null = null;
    const ask = (command: string) => new Promise<string>((resolve) => ((answered = resolve), child.stdin!.write(`${command}\n`)));
    const profile = process.env.BENCH_CPU_PROF;
    /** Runs `run` under the server's CPU profiler when BENCH_CPU_PROF names a file (`file` for the first measurement, `file.kept`). */
    const profiled = async <T>(suffix: string, run: () => Promise<T>) => {
      if (!profile) return run();
      await ask('profile');
      const result = await run();
      await ask(`profile ${profile.replace(/\.cpuprofile$/, '')}${suffix}.cpuprofile`);
      return result;
    };
    /** The server process's CPU time so far (µs): user (JavaScript, the runtime) and system (the kernel: sockets). */
    const serverCpuUs = async () => {
      const [user, system] = (await ask('cpu')).slice(4).split(' ').map(Number) as [number, number];
      return { user, system };
    };
    /** The run's rates and the server's CPU time per request during it. */
    const measured = async (run: () => Promise<{ rps: number; p99: number; total: number }>) => {
      const before = await serverCpuUs();
      const result = await run();
      const after = await serverCpuUs();
      const userUsPerRequest = (after.user - before.user) / result.total;
      const systemUsPerRequest = (after.system - before.system) / result.total;
      return { ...result, userUsPerRequest, systemUsPerRequest, cpuUsPerRequest: userUsPerRequest + systemUsPerRequest };
    };
    const urls = await new Promise<{ mapperUrl: string; bareUrl: string }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('{')) resolve(JSON.parse(line));
        if (line.startsWith('PROFIL') || line.startsWith('CPU ')) answered?.(line);
      });
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
    });
    try {
      // Sanity: the real route answers covered at the centre.
      const probe = await fetch(`${urls.mapperUrl}/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}`, { headers: { 'x-api-key': key } });
      const body = (await probe.json()) as { covered: boolean; expected_hotspots: number };
      if (!body.covered) throw new Error('centre point is not covered: the dataset is wrong');
      if (HOTSPOTS > 0 && !(body.expected_hotspots > 0)) throw new Error('no hotspot in reach of the centre: the estimates are not evaluated');
      const bareSize = await responseSize(`${urls.bareUrl}/bare`, {});
      const pointSize = await responseSize(`${urls.mapperUrl}${randomPointPath()}`, { 'x-api-key': key });
      console.log(`response: bare ${bareSize.headers} headers (${bareSize.headerBytes} B) + ${bareSize.bodyBytes} B body; point ${pointSize.headers} headers (${pointSize.headerBytes} B) + ${pointSize.bodyBytes} B body`);
      await load(urls.mapperUrl, null, { 'x-api-key': key }, SECONDS); // warm-up (caches, JIT, PostgreSQL buffers)
      const roundSeconds = SECONDS / ROUNDS;
      const bareRound = () => measured(() => load(urls.bareUrl, '/bare', {}, roundSeconds));
      const pointRound = () => measured(() => load(urls.mapperUrl, null, { 'x-api-key': key }, roundSeconds));
      /** ROUNDS × (bare round, point round), each pair's ratios side by side. */
      const alternated = async () => {
        const rounds: { bare: Round; point: Round }[] = [];
        for (let r = 0; r < ROUNDS; r++) rounds.push({ bare: await bareRound(), point: await pointRound() });
        return rounds;
      };
      const report = (name: string, what: string, rounds: { bare: Round; point: Round }[]) => {
        const byRps = [...rounds].sort((a, b) => a.point.rps / a.bare.rps - b.point.rps / b.bare.rps);
        const byCpu = [...rounds].sort((a, b) => b.point.cpuUsPerRequest / b.bare.cpuUsPerRequest - a.point.cpuUsPerRequest / a.bare.cpuUsPerRequest);
        const { bare, point } = byRps[Math.floor(ROUNDS / 2)]!;
        const cpu = byCpu[Math.floor(ROUNDS / 2)]!;
        const sum = (pick: (x: { bare: Round; point: Round }) => Round) => rounds.reduce((n, x) => n + pick(x).total, 0);
        console.log(
          `${what}, ${ROUNDS} rounds of ${roundSeconds} s alternating with the bare route (${sum((x) => x.point)} and ${sum((x) => x.bare)} requests; ${count} hexes, ${HOTSPOTS} hotspots, ${CONNECTIONS} connections); ` +
            `ratios by round ${rounds.map((x) => (x.point.rps / x.bare.rps).toFixed(2)).join(', ')}`,
        );
        console.log(
          `median round: point ${point.rps.toFixed(0)} req/s, p99 ${point.p99} ms, server CPU ${point.cpuUsPerRequest.toFixed(0)} µs/request (user ${point.userUsPerRequest.toFixed(0)}, system ${point.systemUsPerRequest.toFixed(0)}); ` +
            `bare ${bare.rps.toFixed(0)} req/s, p99 ${bare.p99} ms, ${bare.cpuUsPerRequest.toFixed(0)} µs/request (user ${bare.userUsPerRequest.toFixed(0)}, system ${bare.systemUsPerRequest.toFixed(0)})`,
        );
        console.log(`BENCH ${name}-cpu: ${cpu.point.cpuUsPerRequest.toFixed(0)} µs/request | baseline ${cpu.bare.cpuUsPerRequest.toFixed(0)} µs/request | ratio ${(cpu.bare.cpuUsPerRequest / cpu.point.cpuUsPerRequest).toFixed(3)}`);
        console.log(`BENCH ${name}-p99: ${point.p99} ms | baseline ${bare.p99} ms | ratio ${(point.p99 / Math.max(bare.p99, 0.001)).toFixed(2)}`);
        console.log(`BENCH ${name}: ${point.rps.toFixed(0)} req/s | baseline ${bare.rps.toFixed(0)} req/s | ratio ${(point.rps / bare.rps).toFixed(3)}`);
      };
      // Right after a warm-up of the same length: about half the point rounds' (cell, device) pairs are asked for the
      // first time, so about half their requests compute an estimate.
      report('mapper-point-query', 'point query, cells new and kept', await profiled('', alternated));
      if (HOTSPOTS > 0) {
        // Steady state: every (cell, device) pair of the box asked once, then the same random load.
        const every = everyCellAndDevicePath();
        await load(urls.mapperUrl, null, { 'x-api-key': key }, SECONDS, { amount: every.paths.length, next: every.next });
        report('mapper-point-query-kept', `point query, every estimate kept (after ${every.paths.length} (cell, device) pairs asked once)`, await profiled('.kept', alternated));
      }
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
