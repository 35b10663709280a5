/**
 * Attacks on the carriers' key handling and the public surface around it:
 * - unknown key ids were never rate limited and each cost a database query;
 * - enough unknown ids evicted every real key from the verifier's cache (it was cleared when full);
 * - CORS `*` let any web page spend a carrier's key from a visitor's browser;
 * - the mapper's Prometheus metrics were public on the map's own port.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '@poc/db';
import { apiKeyVerifier, buildMapperServer, createApiKey } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let serverSql: Database;
let app: FastifyInstance;
let key: string;
const metrics = new Registry();

beforeAll(async () => {
  db = await createTestDatabase();
  key = (await createApiKey(db.sql, 'real carrier', 100_000)).key;
  serverSql = connectDatabase(db.url, { max: 1 });
  app = await buildMapperServer({ sql: serverSql, coverageIndex: false, metricsRegistry: metrics } as Parameters<typeof buildMapperServer>[0]);
});
afterAll(async () => {
  await app?.close();
  await serverSql?.end({ timeout: 5 });
  await db?.drop();
});

const unknownKey = () => `poc_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

async function apiKeyLookups(): Promise<number> {
  await serverSql`SELECT pg_stat_force_next_flush()`;
  const [row] = await serverSql<{ n: string }[]>`SELECT (coalesce(idx_scan, 0) + coalesce(seq_scan, 0))::text AS n FROM pg_stat_user_tables WHERE relname = 'api_keys'`;
  return Number(row?.n ?? 0);
}

describe('unknown API keys', () => {
  it('are rate limited per client address, and stop costing database lookups', async () => {
    const before = await apiKeyLookups();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await app.inject({ url: '/v1/coverage/point?lat=1&lng=1', headers: { 'x-api-key': unknownKey() }, remoteAddress: '203.0.113.7' });
      statuses.push(r.statusCode);
    }
    const lookups = (await apiKeyLookups()) - before;
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(lookups).toBeLessThanOrEqual(30);
    const limited = await app.inject({ url: '/v1/coverage/point?lat=1&lng=1', headers: { 'x-api-key': unknownKey() }, remoteAddress: '203.0.113.7' });
    expect(limited.json().error).toBe('too_many_invalid_api_keys');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    const other = await app.inject({ url: '/v1/coverage/point?lat=1&lng=1', headers: { 'x-api-key': key }, remoteAddress: '198.51.100.9' });
    expect(other.statusCode).toBe(200);
  });

  it('never evict a valid key from the verifier cache', async () => {
    const verify = apiKeyVerifier(db.sql, { ttlMs: 600_000 });
    expect(await verify(key)).toMatchObject({ ok: true });
    for (let i = 0; i < 10_050; i += 50) await Promise.all(Array.from({ length: 50 }, () => verify(unknownKey())));
    expect(verify.cached(key)).toMatchObject({ ok: true });
  });
});

describe('browser access', () => {
  it('sends no CORS headers on the carriers API, for a preflight or a keyed request', async () => {
    const pre = await app.inject({ method: 'OPTIONS', url: '/v1/coverage/point', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-headers']).toBeUndefined();
    const keyed = await app.inject({ url: '/v1/coverage/point?lat=1&lng=1', headers: { origin: 'https://evil.example', 'x-api-key': key } });
    expect(keyed.statusCode).toBe(200);
    expect(keyed.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('metrics', () => {
  it('are not served on the public listener, only through the ops registry', async () => {
    const r = await app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain('mapper_http_request_duration_seconds');
    expect(await metrics.metrics()).toContain('mapper_http_request_duration_seconds');
  });
});
