/**
 * The mapper reading from a streaming replica (docs/operations.md §8 "Read replica"): Debian's PostgreSQL as primary,
 * a standby made by `pg_basebackup -R` streaming from it, and two poc-mapper processes (the compiled bin) with
 * READ_DATABASE_URL on the standby — one that falls back to the primary, one with READ_DATABASE_FALLBACK=none. The
 * standby is SIGKILLed (nothing promoted) and started again; neither mapper crashes.
 */
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, migrate } from '@poc/db';
import { startDebianPostgres, startDebianReplica, type DebianPostgres, type DebianPostgresReplica } from '@poc/devnet/debian-postgres';
import { freePort } from '@poc/devnet/postgres';
import { upsertHotspots } from '@poc/oracle';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import { generateHotspotKeypair } from '@poc/protocol';
import { BINS, ServiceProcess, ensureServiceBins } from './support';

interface Answer {
  status: number;
  source: string | null;
  lag: string | null;
  body: unknown;
}

async function get(url: string): Promise<Answer> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON.
    }
    return { status: response.status, source: response.headers.get('x-poc-read-source'), lag: response.headers.get('x-poc-replica-lag-seconds'), body };
  } catch {
    return { status: 0, source: null, lag: null, body: null };
  }
}

describe('mapper on a streaming replica: reads follow the replica, survive its death and come back to it', () => {
  let primary: DebianPostgres | null = null;
  let replica: DebianPostgresReplica | null = null;
  const mappers: ServiceProcess[] = [];
  const ports = { fallback: 0, fallbackOps: 0, strict: 0, strictOps: 0 };

  const addHotspot = async (name: string) => {
    const sql = connectDatabase(primary!.url, { max: 1 });
    try {
      await upsertHotspots(sql, [{ address: generateHotspotKeypair().address, name, region: 'EU868', locationH3: latLngToCell(52.37, 4.9, 12) }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  // The hotspots in a box around them: a plain read of the registry (the search endpoint also loads the places index).
  const search = (port: number, _name: string) => get(`http://127.0.0.1:${port}/api/v1/hotspots?bbox=4.8,52.3,5.0,52.4`);
  const found = (answer: Answer, name: string) => answer.status === 200 && JSON.stringify(answer.body).includes(name);
  const diagnostics = () => mappers.map((m) => m.output()).join('\n');

  beforeAll(async () => {
    await ensureServiceBins();
    primary = await startDebianPostgres();
    const sql = connectDatabase(primary.url, { max: 1 });
    try {
      await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
    } finally {
      await sql.end({ timeout: 5 });
    }
    await addHotspot('before-replica');
    replica = await startDebianReplica(primary);
    await replica.caughtUp();
  }, 240_000);

  afterAll(async () => {
    await Promise.all(mappers.map((m) => m.kill()));
    await replica?.stop();
    await primary?.stop();
  });

  it('starts two mappers on the replica, ready', async () => {
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const env = (port: number, opsPort: number, fallback: string) => ({
      DATABASE_URL: primary!.url,
      READ_DATABASE_URL: replica!.url,
      READ_DATABASE_FALLBACK: fallback,
      HOST: '127.0.0.1',
      PORT: String(port),
      MAPPER_OPS_PORT: String(opsPort),
    });
    // Both at once: the migration lock serialises their migrations on the primary.
    mappers.push(new ServiceProcess('poc-mapper (fallback primary)', BINS.mapper, [], env(ports.fallback, ports.fallbackOps, 'primary')));
    mappers.push(new ServiceProcess('poc-mapper (no fallback)', BINS.mapper, [], env(ports.strict, ports.strictOps, 'none')));
    for (const opsPort of [ports.fallbackOps, ports.strictOps]) {
      await expect.poll(async () => (await get(`http://127.0.0.1:${opsPort}/readyz`)).status, { timeout: 90_000, interval: 250, message: diagnostics() }).toBe(200);
    }
  }, 200_000);

  it('reads from the replica while it streams, with its lag in a header', async () => {
    await addHotspot('while-streaming');
    await replica!.caughtUp();
    for (const port of [ports.fallback, ports.strict]) {
      await expect.poll(async () => found(await search(port, 'while-streaming'), 'while-streaming'), { timeout: 15_000, interval: 250 }).toBe(true);
      const answer = await search(port, 'while-streaming');
      expect(answer.source).toBe('replica');
      expect(Number(answer.lag)).toBeGreaterThanOrEqual(0);
    }
    const ready = await get(`http://127.0.0.1:${ports.fallback}/readyz`);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', reads: { source: 'replica', replica: 'up' } } });
  });

  it('falls back to the primary, or fails readiness and reads with 503, when the replica is killed; no mapper crashes', async () => {
    await replica!.kill();
    // The fallback mapper answers from the primary, and sees writes the dead replica never received.
    await addHotspot('after-kill');
    await expect.poll(async () => found(await search(ports.fallback, 'after-kill'), 'after-kill'), { timeout: 15_000, interval: 250, message: diagnostics() }).toBe(true);
    expect((await search(ports.fallback, 'after-kill')).source).toBe('primary');
    const fallbackReady = await get(`http://127.0.0.1:${ports.fallback}/readyz`);
    expect(fallbackReady).toMatchObject({ status: 200, body: { status: 'ready', reads: { source: 'primary', replica: 'down' } } });
    expect(await get(`http://127.0.0.1:${ports.fallbackOps}/readyz`)).toMatchObject({ status: 200 });

    // The strict mapper says it is not ready and refuses reads with a clear 503 instead of serving from elsewhere.
    await expect.poll(async () => (await get(`http://127.0.0.1:${ports.strict}/readyz`)).status, { timeout: 15_000, interval: 250 }).toBe(503);
    expect((await get(`http://127.0.0.1:${ports.strict}/readyz`)).body).toMatchObject({ status: 'not_ready', reads: { replica: 'down' } });
    expect((await get(`http://127.0.0.1:${ports.strictOps}/readyz`)).status).toBe(503);
    const refused = await search(ports.strict, 'after-kill');
    expect(refused).toMatchObject({ status: 503, body: { error: 'replica_unavailable' } });
    // Liveness is not readiness: both processes are up and say so.
    for (const [i, port] of [ports.fallback, ports.strict].entries()) {
      expect(mappers[i]!.running, diagnostics()).toBe(true);
      expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    }
  });

  it('goes back to the replica when it returns and has caught up', async () => {
    await replica!.restart();
    await replica!.caughtUp();
    for (const port of [ports.fallback, ports.strict]) {
      await expect.poll(async () => (await get(`http://127.0.0.1:${port}/readyz`)).body, { timeout: 30_000, interval: 250, message: diagnostics() }).toMatchObject({ status: 'ready', reads: { source: 'replica', replica: 'up' } });
      const answer = await search(port, 'after-kill');
      expect(found(answer, 'after-kill')).toBe(true);
      expect(answer.source).toBe('replica');
    }
    for (const mapper of mappers) expect(mapper.running, diagnostics()).toBe(true);
  });
});
