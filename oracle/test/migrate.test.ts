import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { migrate } from '@poc/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('migrations', () => {
  it('creates the schema once and is a no-op when run again', async () => {
    const tables = await db.sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['hotspots', 'beacon_reports', 'witness_reports', 'coverage_hexes', 'epochs']));
    expect(await migrate(db.sql, inject('migrationDirs'))).toEqual([]);
  });
});
