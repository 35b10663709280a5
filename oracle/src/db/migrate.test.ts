import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { migrate } from './migrate';

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
    expect(await migrate(db.sql)).toEqual([]);
  });
});
