import type { Sql } from 'postgres';
import { coverageUpdatedAt } from './db/coverage';

export interface Freshness {
  /** Newest measurement in the coverage data. */
  coverage_updated_at: string | null;
  /** When this answer was produced. */
  generated_at: string;
}

export interface FreshnessSource {
  (): Promise<Freshness>;
  /** The answer without waiting, or undefined when the cached value is missing or stale (a refresh is then started). */
  peek(): Freshness | undefined;
}

/** Coverage freshness, re-read from PostgreSQL at most every `ttlMs` so hot endpoints do not pay for it. */
export function freshnessSource(sql: Sql, ttlMs = 2_000): FreshnessSource {
  let cached: { at: number; value: string | null } | null = null;
  let pending: Promise<string | null> | null = null;
  const refresh = (now: number) =>
    (pending ??= coverageUpdatedAt(sql)
      .then((d) => {
        const value = d?.toISOString() ?? null;
        cached = { at: now, value };
        return value;
      })
      .finally(() => (pending = null)));
  // Requests in the same millisecond share one answer (the hot point query asks several times per millisecond).
  let last: { now: number; value: string | null; answer: Freshness } | null = null;
  const answer = (value: string | null, now: number): Freshness => {
    if (last?.now === now && last.value === value) return last.answer;
    last = { now, value, answer: { coverage_updated_at: value, generated_at: new Date(now).toISOString() } };
    return last.answer;
  };

  const get = async () => {
    const now = Date.now();
    if (cached && now - cached.at <= ttlMs) return answer(cached.value, now);
    return answer(await refresh(now), now);
  };
  const peek = () => {
    const now = Date.now();
    if (cached && now - cached.at <= ttlMs) return answer(cached.value, now);
    void refresh(now).catch(() => {});
    return undefined;
  };
  return Object.assign(get, { peek });
}
