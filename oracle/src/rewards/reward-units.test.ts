import { describe, expect, it } from 'vitest';
import { beaconRewardUnit, rewardShares, roundHalfEven4, witnessRewardUnit } from './reward-units';

describe('HIP-15 reward units', () => {
  it('matches the reward_share test table for n = 1…15', () => {
    const witness = [1, 1, 1, 1, 0.76, 0.6067, 0.5017, 0.4262, 0.3697, 0.3262, 0.2918, 0.264, 0.2411, 0.222, 0.2057];
    const beacon = [0.25, 0.5, 0.75, 1, 1.2, 1.36, 1.488, 1.5904, 1.6723, 1.7379, 1.7903, 1.8322, 1.8658, 1.8926, 1.9141];
    expect(Array.from({ length: 15 }, (_, i) => witnessRewardUnit(i + 1))).toEqual(witness);
    expect(Array.from({ length: 15 }, (_, i) => beaconRewardUnit(i + 1))).toEqual(beacon);
    expect([beaconRewardUnit(0), witnessRewardUnit(0)]).toEqual([0, 0]);
  });

  it('rounds half to even at 4 dp', () => {
    expect(roundHalfEven4(0.00005)).toBe(0);
    expect(roundHalfEven4(0.00015)).toBe(0.0002);
    expect(roundHalfEven4(1.23456)).toBe(1.2346);
  });

  it('turns scale × unit × trust into exact integer shares, zero when any factor is zero', () => {
    expect(rewardShares(0.2, 1, 1)).toBe(2000n * 10000n * 10000n);
    expect(rewardShares(0.0833, 0.76, 0.5)).toBe(833n * 7600n * 5000n);
    expect(rewardShares(0, 1, 1)).toBe(0n);
    expect(rewardShares(1, 1, 0)).toBe(0n);
  });
});
