import { describe, expect, it } from 'vitest';
import { signalClassOf } from './signal';
import { parseTimeFilter } from './time-filter';

describe('signal classes (RSSI in dBm×10)', () => {
  it('puts the thresholds in the stronger class', () => {
    expect([-600, -900, -901, -1050, -1051, -1150, -1151, -1400].map(signalClassOf)).toEqual(['strong', 'strong', 'good', 'good', 'fair', 'fair', 'weak', 'weak']);
  });
});

describe('time filter', () => {
  const now = Date.parse('2026-11-25T09:30:00Z');
  it('turns windows and as_of into an interval and the whole UTC days it touches', () => {
    expect(parseTimeFilter('7d', undefined, now)).toEqual({ since: new Date(now - 7 * 86_400_000), days: { from: '2026-11-18', to: '2026-11-25' } });
    expect(parseTimeFilter('24h', undefined, now)).toEqual({ since: new Date(now - 86_400_000), days: { from: '2026-11-24', to: '2026-11-25' } });
    expect(parseTimeFilter('30d', undefined, now)).toMatchObject({ days: { from: '2026-10-26', to: '2026-11-25' } });
    expect(parseTimeFilter(undefined, undefined, now)).toEqual({});
    expect(parseTimeFilter('all', undefined, now)).toEqual({});
    // as_of wins over window: the 30 days up to it, its own day included.
    expect(parseTimeFilter('all', '2026-10-01', now)).toEqual({
      asOf: new Date('2026-10-01'),
      since: new Date(Date.parse('2026-10-01') - 30 * 86_400_000),
      days: { from: '2026-09-01', to: '2026-10-01' },
    });
    expect(parseTimeFilter('24h', '2026-10-01T23:59:59Z', now)).toMatchObject({ days: { from: '2026-09-01', to: '2026-10-01' } });
    expect(parseTimeFilter(undefined, '2026-10-01T12:00:00+14:00', now)).toMatchObject({ days: { from: '2026-08-31', to: '2026-09-30' } });
  });
  it('explains bad input', () => {
    expect(parseTimeFilter('1y', undefined, now)).toMatch(/window must be one of 24h, 7d, 30d, all/);
    expect(parseTimeFilter('constructor', undefined, now)).toMatch(/window must be one of/);
    expect(parseTimeFilter(['7d', '24h'] as unknown as string, undefined, now)).toMatch(/window must be one of/);
    expect(parseTimeFilter(undefined, 'yesterday', now)).toMatch(/as_of must be an ISO 8601 date/);
    expect(parseTimeFilter(undefined, '0000-01-01', now)).toMatch(/as_of must be an ISO 8601 date or date-time between/);
    expect(parseTimeFilter(undefined, '+275760-09-13', now)).toMatch(/between/);
  });
});
