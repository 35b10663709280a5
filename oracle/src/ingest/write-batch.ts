import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OracleMetrics } from '../metrics';
import { decodeAndVerify, type IncomingMessage } from './decode';
import type { IngestWorkerPool } from './worker-pool';
import { storeBatch, storeUnstorable } from './store';

/** Connection-level failures (SQLSTATE classes 08, 53, 57, or no SQLSTATE at all) are worth retrying as they are. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || /^(08|53|57)/.test(code);
}

export interface BatchWriterDeps {
  sql: Sql;
  pool: IngestWorkerPool;
  logger: Logger;
  metrics: OracleMetrics;
}

/**
 * Stores one verified batch, retrying with back-off; true once it is durable (only then may the broker be
 * acknowledged). A batch PostgreSQL refuses three times for its data (not its connection) is recorded as
 * store_failed instead of stalling ingest. False when `stopping()` turns true while retrying: the batch stays
 * unacknowledged and the broker redelivers it.
 */
export async function writeBatch(
  deps: BatchWriterDeps,
  batch: IncomingMessage[],
  verified: ReturnType<typeof decodeAndVerify>,
  stopping: () => boolean,
): Promise<boolean> {
  const end = deps.metrics.ingestBatchSeconds.startTimer();
  for (let attempt = 1; ; attempt++) {
    let outcome: Awaited<ReturnType<typeof decodeAndVerify>> | null = null;
    try {
      outcome = await verified.catch(() => decodeAndVerify(batch, deps.pool));
      const { stored, duplicates } = await storeBatch(deps.sql, outcome.accepted, outcome.rejected);
      deps.metrics.reportsStored.inc(stored);
      for (const r of outcome.rejected) deps.metrics.messagesRejected.inc({ reason: r.reason });
      if (duplicates) deps.metrics.messagesRejected.inc({ reason: 'duplicate' }, duplicates);
      end();
      return true;
    } catch (error) {
      if (outcome && !isTransient(error) && attempt >= 3) {
        try {
          await storeUnstorable(deps.sql, batch, error as Error);
          deps.metrics.messagesRejected.inc({ reason: 'store_failed' }, batch.length);
          deps.logger.error({ err: error, size: batch.length }, 'report batch refused by PostgreSQL; recorded as store_failed');
          return true;
        } catch (inner) {
          deps.logger.error({ err: inner }, 'recording an unstorable batch failed');
        }
      }
      deps.logger.error({ err: error, attempt, size: batch.length }, 'storing report batch failed; retrying');
      if (stopping()) {
        deps.logger.fatal({ size: batch.length }, 'stopping with an unstored batch; it was not acknowledged, so the broker redelivers it');
        return false;
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
    }
  }
}
