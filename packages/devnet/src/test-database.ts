import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '@poc/db';
import { migrate } from '@poc/db';

export interface TestDatabase {
  url: string;
  sql: Database;
  drop(): Promise<void>;
}

/** A fresh database on the run's real PostgreSQL server, migrated with the folders the test run provides. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = connectDatabase(adminUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = connectDatabase(url.toString());
  await migrate(sql, inject('migrationDirs'));
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

// What the test run's global setup provides to every test file (test/support/global-setup.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    migrationDirs: string[];
  }
}
