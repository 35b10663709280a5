import type { Logger } from 'pino';

/**
 * postgres.js 3.4.9 runs an internal array-type query on every new connection and drops its promise, so a connection
 * that dies during that query (a database restart or failover) surfaces as an unhandled rejection no caller can catch
 * (porsager/postgres#1192, #1205, #1223; open upstream). Node would exit the process for it; the query that opened the
 * connection fails or retries on its own, so that one rejection is safe to log and drop.
 */
export function isDriverTypeFetchFailure(reason: unknown): boolean {
  const query = (reason as { query?: unknown } | null)?.query;
  return typeof query === 'string' && query.includes('pg_catalog.pg_type') && query.includes("typcategory = 'A'");
}

/**
 * For processes that own their lifecycle (not tests): drops the driver's type-fetch rejections with a warning and
 * keeps Node's behaviour for every other unhandled rejection (log it, exit 1).
 */
export function guardAgainstDriverTypeFetchFailures(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    if (isDriverTypeFetchFailure(reason)) {
      log.warn({ err: reason }, 'PostgreSQL connection lost while the driver fetched types (porsager/postgres#1192); it reconnects on the next query');
      return;
    }
    log.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}
