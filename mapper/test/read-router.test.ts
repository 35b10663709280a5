import { connectDatabase } from '@poc/db';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { freePort } from '@poc/devnet/postgres';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadRouter } from '../src/read-replica';
import { buildMapperServer } from '../src/server';

// The replica cases a real standby needs are in test/deployment/read-replica.test.ts; these are the refusals.
let db: TestDatabase;
const closed: ReturnType<typeof connectDatabase>[] = [];
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const sql of closed) await sql.end({ timeout: 1 });
  await db?.drop();
});

async function serverWith(replicaUrl: string, fallback: 'primary' | 'none') {
  const replica = connectDatabase(replicaUrl, { max: 2 });
  closed.push(replica);
  const router = new ReadRouter(db.sql, replica, { fallback, probeTimeoutMs: 1_000 });
  await router.start();
  router.stop();
  const app = await buildMapperServer({ sql: db.sql, coverageIndex: false, readRouter: router });
  apps.push(app);
  return { app, router };
}

describe('mapper read router', () => {
  it('never reads from a "replica" that is not in recovery (a promoted standby, or the primary by mistake)', async () => {
    const { app, router } = await serverWith(db.url, 'primary');
    expect(router.state()).toMatchObject({ source: 'primary', replica: 'not_standby' });
    const answer = await app.inject({ method: 'GET', url: '/api/v1/signal-classes' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-poc-read-source']).toBe('primary');
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', reads: { source: 'primary', replica: 'not_standby' } });
  });

  it('with no fallback, an unreachable replica fails readiness and reads with 503 replica_unavailable, not a crash', async () => {
    const { app, router } = await serverWith(`postgres://postgres:x@127.0.0.1:${await freePort()}/none`, 'none');
    expect(router.state()).toMatchObject({ source: 'primary', replica: 'down' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', reads: { replica: 'down' } });
    const read = await app.inject({ method: 'GET', url: '/api/v1/search?q=anything' });
    expect(read.statusCode).toBe(503);
    expect(read.json()).toMatchObject({ error: 'replica_unavailable' });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('with the primary fallback, an unreachable replica leaves the mapper ready and reading from the primary', async () => {
    const { app } = await serverWith(`postgres://postgres:x@127.0.0.1:${await freePort()}/none`, 'primary');
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', reads: { source: 'primary', replica: 'down' } });
    const read = await app.inject({ method: 'GET', url: '/api/v1/search?q=anything' });
    expect(read.statusCode).toBe(200);
    expect(read.headers['x-poc-read-source']).toBe('primary');
  });
});
