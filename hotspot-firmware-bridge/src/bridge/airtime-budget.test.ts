import { describe, expect, it } from 'vitest';
import { loraTimeOnAirMs } from '@poc/protocol';
import { AirtimeBudget, DUTY_CYCLE_WINDOW_MS } from './airtime-budget';

/** An EU868 beacon: SF12/125 kHz, 52-byte frame, 2465.792 ms. */
const EU868_BEACON_MS = loraTimeOnAirMs({ spreadingFactor: 12, bandwidthHz: 125_000, payloadBytes: 52 });

describe('AirtimeBudget', () => {
  it('holds 1 % of an hour (36 s) and refuses the transmission that would exceed it', () => {
    const budget = new AirtimeBudget(10);
    expect(budget.limitMs).toBe(36_000);
    const t0 = 1_700_000_000_000;
    let sent = 0;
    for (let i = 0; i < 100; i++) {
      const at = t0 + i * 60_000;
      if (budget.allows(at, EU868_BEACON_MS)) {
        budget.record(at, EU868_BEACON_MS);
        sent++;
      }
    }
    // 100 one-minute slots: minutes 0–13 fill the first hour (14 × 2.47 s = 34.5 s ≤ 36 s, a 15th would not fit);
    // each reopens 60 min after it was sent, so minutes 60–73 send again and 74–99 are refused.
    expect(EU868_BEACON_MS).toBeCloseTo(2465.792, 6);
    expect(Math.floor(36_000 / EU868_BEACON_MS)).toBe(14);
    expect(sent).toBe(28);
    expect(budget.usedMs(t0 + 99 * 60_000)).toBeLessThanOrEqual(36_000);
  });

  it('never lets any one-hour window exceed the limit', () => {
    const budget = new AirtimeBudget(1);
    const log: { at: number; airtime: number }[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let at = 0;
    for (let i = 0; i < 2_000; i++) {
      at += Math.floor(random() * 30_000);
      const airtime = 50 + random() * 600;
      if (budget.allows(at, airtime)) {
        budget.record(at, airtime);
        log.push({ at, airtime });
      }
    }
    expect(log.length).toBeGreaterThan(10);
    for (const end of log.map((t) => t.at)) {
      const inWindow = log.filter((t) => t.at > end - DUTY_CYCLE_WINDOW_MS && t.at <= end).reduce((s, t) => s + t.airtime, 0);
      expect(inWindow).toBeLessThanOrEqual(3_600 + 1e-9);
    }
  });

  it('says when the next transmission fits', () => {
    const budget = new AirtimeBudget(10);
    budget.record(0, 20_000);
    budget.record(600_000, 15_000);
    expect(budget.allows(1_200_000, 2_000)).toBe(false);
    expect(budget.availableAtMs(1_200_000, 2_000)).toBe(DUTY_CYCLE_WINDOW_MS); // when the first leaves the window
    expect(budget.allows(DUTY_CYCLE_WINDOW_MS, 2_000)).toBe(true);
    expect(budget.availableAtMs(1_200_000, 1_000)).toBe(1_200_000);
    expect(budget.availableAtMs(0, 40_000)).toBe(Infinity);
  });

  it('without a limit allows everything and keeps nothing', () => {
    const budget = new AirtimeBudget(null);
    for (let i = 0; i < 1_000; i++) budget.record(i, 10_000);
    expect(budget.allows(1_000, 1e9)).toBe(true);
    expect(budget.usedMs(1_000)).toBe(0);
    expect(budget.limitMs).toBe(Infinity);
  });

  it('refuses a duty cycle outside (0, 1000] ‰', () => {
    expect(() => new AirtimeBudget(0)).toThrow(RangeError);
    expect(() => new AirtimeBudget(1001)).toThrow(RangeError);
    expect(() => new AirtimeBudget(Number.NaN)).toThrow(RangeError);
  });
});
