import { describe, expect, it } from 'vitest';
import { nextBeaconTime, segmentOf } from './beacon-schedule';
import { LastSeenCache } from './last-seen';

const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('beacon schedule', () => {
  const interval = 60_000;
  it('picks one time inside each aligned segment, never twice in one segment', () => {
    const now = 1_700_000_000_000;
    const first = nextBeaconTime(now, interval, null, seq(0.99));
    expect(segmentOf(first, interval)).toBe(segmentOf(now, interval));
    expect(first).toBeGreaterThan(now);
    const second = nextBeaconTime(first + 1, interval, segmentOf(first, interval), seq(0));
    expect(segmentOf(second, interval)).toBe(segmentOf(first, interval) + 1);
    let last: number | null = null;
    let t = now;
    const segments = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const at = nextBeaconTime(t, interval, last, Math.random);
      expect(at).toBeGreaterThan(t);
      const s = segmentOf(at, interval);
      expect(segments.has(s)).toBe(false);
      segments.add(s);
      last = s;
      t = at + Math.random() * 90_000;
    }
  });

  it('uses the rest of the current segment when its random instant has passed', () => {
    const start = 1_700_000_040_000 - (1_700_000_040_000 % interval);
    const now = start + 50_000;
    const at = nextBeaconTime(now, interval, null, seq(0.1, 0.5));
    expect(segmentOf(at, interval)).toBe(segmentOf(now, interval));
    expect(at).toBeGreaterThan(now);
  });
});

describe('beacon schedule at millisecond resolution', () => {
  it('never returns the current millisecond when the drawn instant is a fraction of a millisecond ahead', () => {
    const interval = 60_000;
    const start = 1_700_000_040_000;
    const now = start + 30_000;
    const fractionAhead = (30_000 - 3_000 + 0.7) / (interval - 2 * 3_000);
    const at = nextBeaconTime(now, interval, null, seq(fractionAhead, 0));
    expect(at).toBeGreaterThan(now);
    expect(segmentOf(at, interval)).toBe(segmentOf(now, interval));
  });
});

describe('last-seen cache', () => {
  it('flags repeats and forgets beyond 15 entries', () => {
    const cache = new LastSeenCache(15);
    const item = (i: number) => Uint8Array.from([i]);
    expect(cache.add(item(0))).toBe(true);
    expect(cache.add(item(0))).toBe(false);
    for (let i = 1; i <= 15; i++) cache.add(item(i));
    expect(cache.has(item(0))).toBe(false);
    expect(cache.has(item(1))).toBe(true);
  });
});
