import type { Sql } from 'postgres';

/** 'up' when PostgreSQL answers `SELECT 1` within `timeoutMs`, else why not (for /readyz). */
export async function databaseReadiness(sql: Sql, timeoutMs = 2_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)));
  try {
    return await Promise.race([sql`SELECT 1`.then(() => 'up'), timedOut]);
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
