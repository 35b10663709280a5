import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '@poc/db';
import { isDriverTypeFetchFailure } from '@poc/db';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '@poc/devnet/postgres';
import { databaseReadiness } from '@poc/db';

/** A PostgreSQL of its own, so the test can stop it and start it again on the same data. */
const dataDir = resolve(`.data/readiness-postgres-${process.pid}-${randomBytes(3).toString('hex')}`);
let port: number;
let pg: EmbeddedDatabase | null = null;
let sql: Sql;

const startPg = async () => (pg = await startEmbeddedPostgres({ dataDir, port, database: 'readiness', persistent: true }));

beforeAll(async () => {
  port = await freePort();
  await startPg();
  sql = connectDatabase(pg!.url, { max: 1 });
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('database readiness', () => {
  it('is up with PostgreSQL answering, says why when it is stopped, and is up again after a restart', async () => {
    expect(await databaseReadiness(sql)).toBe('up');
    await pg!.stop();
    expect(await databaseReadiness(sql, 1_000)).toMatch(/^(unreachable: |no answer within 1000 ms)/);
    await startPg();
    let state = await databaseReadiness(sql);
    for (let i = 0; i < 20 && state !== 'up'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = await databaseReadiness(sql);
    }
    expect(state).toBe('up');
  });
});

describe('driver type-fetch guard', () => {
  it("recognises only the driver's own array-type query among rejections", () => {
    const typeFetch = Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), {
      code: 'CONNECTION_CLOSED',
      query: "\n      select b.oid, b.typarray\n      from pg_catalog.pg_type a\n      left join pg_catalog.pg_type b on b.oid = a.typelem\n      where a.typcategory = 'A'\n",
    });
    expect(isDriverTypeFetchFailure(typeFetch)).toBe(true);
    expect(isDriverTypeFetchFailure(Object.assign(new Error('write CONNECTION_CLOSED'), { query: 'SELECT 1' }))).toBe(false);
    expect(isDriverTypeFetchFailure(new Error('anything else'))).toBe(false);
    expect(isDriverTypeFetchFailure(undefined)).toBe(false);
  });
});
