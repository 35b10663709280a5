import type { Sql } from 'postgres';
import { coverageUpdatedAt } from './db/coverage';

export interface Freshness {
  /** Newest measurement in the coverage data. */
  coverage_updated_at: string | null;
  /** When this answer was produced. */
  generated_at: string;
}

/** Coverage freshness, re-read from PostgreSQL at most every `ttlMs` so hot endpoints do not pay for it. */
export function freshnessSource(sql: Sql, ttlMs = 2_000): () => Promise<Freshness> {
  let cached: { at: number; value: string | null } | null = null;
  let pending: Promise<string | null> | null = null;
  return async () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      pending ??= coverageUpdatedAt(sql)
        .then((d) => d?.toISOString() ?? null)
        .finally(() => (pending = null));
      cached = { at: now, value: await pending };
    }
    return { coverage_updated_at: cached.value, generated_at: new Date(now).toISOString() };
  };
}
