import { utcDay } from '@poc/oracle';
import type { TimeFilter } from './db/coverage';

export const TIME_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null } as const;
export type TimeWindow = keyof typeof TIME_WINDOWS;

/** How far back `as_of` looks: coverage as it stood at a date is what was heard in the 30 days up to it. */
export const AS_OF_WINDOW_MS = TIME_WINDOWS['30d'];

const MIN_AS_OF = Date.parse('1970-01-31T00:00:00Z');
const MAX_AS_OF = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `window` (24h / 7d / 30d) is the interval [now − window, now]; `as_of` is [as_of − 30 d, as_of] (it wins over
 * `window`). Coverage answers aggregate the oracle's daily history over the **whole UTC days that interval touches**,
 * `days.from` … `days.to` inclusive: `window=24h` = yesterday and today (UTC), `7d` = today and the 7 days before,
 * `as_of=2026-10-01` = 1 September … 1 October 2026, the whole of 1 October included. A hex is covered when it was heard
 * on one of those days, and its best RSSI/SNR, witness and distinct-hotspot counts and last_seen_at are those of exactly
 * those days. `since` (the interval's start) is kept for the hotspot pages' "active since".
 */
export function parseTimeFilter(window: string | undefined, asOf: string | undefined, now = Date.now()): TimeFilter | string {
  if (asOf !== undefined && asOf !== '') {
    if (typeof asOf !== 'string') return 'as_of must be an ISO 8601 date or date-time';
    const at = new Date(asOf);
    if (Number.isNaN(at.getTime())) return 'as_of must be an ISO 8601 date or date-time';
    if (at.getTime() < MIN_AS_OF || at.getTime() > MAX_AS_OF) return 'as_of must be an ISO 8601 date or date-time between 1970-01-31 and 9999-12-31';
    const since = new Date(at.getTime() - AS_OF_WINDOW_MS);
    return { asOf: at, since, days: { from: utcDay(since), to: utcDay(at) } };
  }
  const w = window === undefined || window === '' ? 'all' : window;
  if (typeof w !== 'string' || !Object.hasOwn(TIME_WINDOWS, w)) return `window must be one of ${Object.keys(TIME_WINDOWS).join(', ')}`;
  const ms = TIME_WINDOWS[w as TimeWindow];
  if (ms === null) return {};
  const since = new Date(now - ms);
  return { since, days: { from: utcDay(since), to: utcDay(now) } };
}
