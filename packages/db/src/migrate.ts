import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Sql } from 'postgres';

/** Any constant works; it only has to be the same for every process that migrates this database. */
const MIGRATION_LOCK_ID = 7_150_042;

/**
 * Applies the pending `*.sql` files of each service's migrations folder, folders in the order given and files in
 * name order, each under one advisory lock. Applied names are recorded in one `schema_migrations` table shared by
 * every service, so file names must be unique across folders (services number theirs in their own range).
 */
export async function migrate(sql: Sql, migrationDirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of migrationDirs) {
    for (const name of (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()) files.push(join(dir, name));
  }
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx<{ name: string }[]>`SELECT name FROM schema_migrations`).map((r) => r.name));
    for (const file of files) {
      const name = basename(file);
      if (done.has(name)) continue;
      await tx.unsafe(await readFile(file, 'utf8'));
      await tx`INSERT INTO schema_migrations (name) VALUES (${name})`;
      applied.push(name);
    }
  });
  return applied;
}
