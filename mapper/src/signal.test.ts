import { describe, expect, it } from 'vitest';
import { signalClassOf } from './signal';
import { parseTimeFilter } from './time-filter';

describe('signal classes (RSSI in dBm×10)', () => {
  it('puts the thresholds in the stronger class', () => {
    expect([-600, -900, -901, -1050, -1051, -1150, -1151, -1400].map(signalClassOf)).toEqual(['strong', 'strong', 'good', 'good', 'fair', 'fair', 'weak', 'weak']);
  });
});

describe('time filter', () => {
  const now = Date.parse('2026-11-25T00:00:00Z');
  it('turns windows into a since-date and as_of into a 30-day window ending then', () => {
    expect(parseTimeFilter('7d', undefined, now)).toEqual({ since: new Date(now - 7 * 86_400_000) });
    expect(parseTimeFilter(undefined, undefined, now)).toEqual({});
    expect(parseTimeFilter('all', '2026-10-01', now)).toEqual({ asOf: new Date('2026-10-01'), since: new Date(Date.parse('2026-10-01') - 30 * 86_400_000) });
  });
  it('explains bad input', () => {
    expect(parseTimeFilter('1y', undefined, now)).toMatch(/window must be one of 24h, 7d, 30d, all/);
    expect(parseTimeFilter(undefined, 'yesterday', now)).toMatch(/as_of must be an ISO 8601 date/);
  });
});
