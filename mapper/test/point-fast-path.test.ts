import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyVerifier, createApiKey, revokeApiKey } from '../src/api-keys';
import { freshnessSource } from '../src/freshness';
import { buildMapperServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { seedAmsterdam } from './fixtures';

let db: TestDatabase;
let fromMemory: FastifyInstance;
let fromDatabase: FastifyInstance;
let key: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedAmsterdam(db.sql);
  key = (await createApiKey(db.sql, 'Fast-path carrier', 10_000)).key;
  fromMemory = await buildMapperServer({ sql: db.sql, coverageIndex: 'await' });
  fromDatabase = await buildMapperServer({ sql: db.sql, coverageIndex: false });
});
afterAll(async () => {
  await fromMemory?.close();
  await fromDatabase?.close();
  await db?.drop();
});

const point = async (app: FastifyInstance, query: string) => {
  const r = await app.inject({ url: `/v1/coverage/point?${query}`, headers: { 'x-api-key': key } });
  expect(r.statusCode).toBe(200);
  const { freshness, ...answer } = r.json();
  return { answer, freshness };
};

describe('point query fast path', () => {
  it('answers from memory exactly what PostgreSQL answers, cold and warm, covered or not, with or without a time filter', async () => {
    const queries = ['lat=52.3702&lng=4.8952', 'lat=52.3702&lng=4.8952&window=24h', 'lat=52.3702&lng=4.8952&window=7d', 'lat=10&lng=10'];
    for (const q of queries) {
      const expected = await point(fromDatabase, q);
      // The first request finds no cached freshness and takes the asynchronous path; the second is answered synchronously.
      const cold = await point(fromMemory, q);
      const warm = await point(fromMemory, q);
      expect(cold.answer).toEqual(expected.answer);
      expect(warm.answer).toEqual(expected.answer);
      expect(warm.freshness.coverage_updated_at).toBe(expected.freshness.coverage_updated_at);
    }
    expect((await point(fromMemory, queries[0]!)).answer.covered).toBe(true);
    expect((await point(fromMemory, queries[3]!)).answer.covered).toBe(false);
  });
});

describe('API key verifier cache', () => {
  it('answers synchronously only once the key row is cached, and sees a revocation after its time to live', async () => {
    const created = await createApiKey(db.sql, 'Cached carrier');
    const verify = apiKeyVerifier(db.sql, { ttlMs: 200 });
    expect(verify.cached(undefined)).toMatchObject({ ok: false, code: 'missing_api_key' });
    expect(verify.cached('poc_nope')).toMatchObject({ ok: false, code: 'invalid_api_key' });
    expect(verify.cached(created.key)).toBeUndefined();
    expect(await verify(created.key)).toMatchObject({ ok: true, key: { id: created.id } });
    expect(verify.cached(created.key)).toMatchObject({ ok: true, key: { id: created.id } });
    const forged = created.key.slice(0, -1) + (created.key.endsWith('A') ? 'B' : 'A');
    expect(verify.cached(forged)).toMatchObject({ ok: false, code: 'invalid_api_key' });
    await revokeApiKey(db.sql, created.id);
    expect(verify.cached(created.key)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 250));
    expect(verify.cached(created.key)).toBeUndefined();
    expect(await verify(created.key)).toMatchObject({ ok: false, status: 403, code: 'revoked_api_key' });
  });
});

describe('freshness source', () => {
  it('peeks nothing until loaded, then the same value the awaited call gives', async () => {
    const freshness = freshnessSource(db.sql, 60_000);
    expect(freshness.peek()).toBeUndefined();
    const loaded = await freshness();
    expect(loaded.coverage_updated_at).toBeTruthy();
    expect(freshness.peek()?.coverage_updated_at).toBe(loaded.coverage_updated_at);
  });
});
