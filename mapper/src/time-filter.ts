import type { TimeFilter } from './db/coverage';

export const TIME_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null } as const;
export type TimeWindow = keyof typeof TIME_WINDOWS;

/**
 * `window` keeps hexes heard within the last 24 h / 7 d / 30 d; `as_of` shows coverage as it stood at a date:
 * hexes first heard by then and heard within the 30 days before it (or later).
 */
export function parseTimeFilter(window: string | undefined, asOf: string | undefined, now = Date.now()): TimeFilter | string {
  if (asOf !== undefined && asOf !== '') {
    const at = new Date(asOf);
    if (Number.isNaN(at.getTime())) return 'as_of must be an ISO 8601 date or date-time';
    return { asOf: at, since: new Date(at.getTime() - TIME_WINDOWS['30d']) };
  }
  const w = window === undefined || window === '' ? 'all' : window;
  if (!(w in TIME_WINDOWS)) return `window must be one of ${Object.keys(TIME_WINDOWS).join(', ')}`;
  const ms = TIME_WINDOWS[w as TimeWindow];
  return ms === null ? {} : { since: new Date(now - ms) };
}
