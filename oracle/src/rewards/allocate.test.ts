import { describe, expect, it } from 'vitest';
import { allocateEpoch, allocateProportionally, heliumRewards, splitEmission } from './allocate';

describe('Helium rewarder fixture (rewarder_poc_dc.rs)', () => {
  it('reproduces beacon, witness, DC, unallocated, operations and oracle amounts', () => {
    const E = 89_041_095_890_411n;
    const out = heliumRewards({
      emission: E,
      // the fixture's DC value exceeds the 50 % pool, so all of it is used
      dcUsedFp: (E * 50n * 10n ** 15n) / 100n,
      beaconShares: [10_000n, 0n, 20_000n, 0n], // H1 1, H3 2
      witnessShares: [0n, 10_000n, 0n, 15_000n], // H2 1, H4 1.5
      dcTransferred: [1000n, 2000n, 0n, 0n],
    });
    expect(out.beacon).toEqual([1_780_821_917_808n, 0n, 3_561_643_835_616n, 0n]);
    expect(out.witness).toEqual([0n, 8_547_945_205_479n, 0n, 12_821_917_808_219n]);
    expect(out.dc).toEqual([14_840_182_648_401n, 29_680_365_296_803n, 0n, 0n]);
    expect(out.unallocatedPoc).toBe(2n);
    expect(out.operations).toBe(6_232_876_712_328n);
    expect(out.oracle).toBe(6_232_876_712_328n);
  });
});

describe('exact allocation', () => {
  it('splits the demo emission 16 % / 64 % / 20 %', () => {
    expect(splitEmission(1_000_000_000_000n)).toEqual({
      emission: 1_000_000_000_000n,
      beaconPool: 160_000_000_000n,
      witnessPool: 640_000_000_000n,
      nonPoc: 200_000_000_000n,
    });
  });

  it('gives leftover units to the largest remainders, ties by key', () => {
    expect(allocateProportionally(10n, [1n, 1n, 1n], ['c', 'a', 'b'])).toEqual([3n, 4n, 3n]);
    expect(allocateProportionally(100n, [1n, 2n], ['x', 'y'])).toEqual([33n, 67n]);
    expect(allocateProportionally(7n, [0n, 0n], ['x', 'y'])).toEqual([0n, 0n]);
  });

  it('property: amounts always sum to the pool and never differ from the exact share by a unit or more', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 50);
      const shares = Array.from({ length: n }, () => (rand() < 0.2 ? 0n : BigInt(Math.floor(rand() * 2e12))));
      const keys = shares.map((_, i) => `k${(i * 7919) % 1000}-${i}`);
      const pool = BigInt(Math.floor(rand() * 1e15));
      const amounts = allocateProportionally(pool, shares, keys);
      const total = shares.reduce((a, b) => a + b, 0n);
      expect(amounts.reduce((a, b) => a + b, 0n)).toBe(total === 0n ? 0n : pool);
      amounts.forEach((amount, i) => {
        if (total === 0n) return;
        const exactTimesTotal = pool * shares[i]!;
        expect(amount * total >= exactTimesTotal - total && amount * total <= exactTimesTotal + total).toBe(true);
      });
    }
  });

  it('accounts for every base unit of the emission, including pools without shares', () => {
    const E = 1_000_000_000_001n;
    const withShares = allocateEpoch(E, ['a', 'b', 'c'], [3n, 0n, 1n], [1n, 1n, 1n]);
    expect(withShares.totalPaid + withShares.unallocated + withShares.nonPoc).toBe(E);
    expect(withShares.unallocated).toBe(0n);
    const noBeacons = allocateEpoch(E, ['a'], [0n], [5n]);
    expect(noBeacons.unallocated).toBe(noBeacons.beaconPool);
    expect(noBeacons.totalPaid + noBeacons.unallocated + noBeacons.nonPoc).toBe(E);
  });

  it('takes a mapping pool out of the witness pool, never more than it', () => {
    const E = 1_000_000_000_001n;
    const full = splitEmission(E);
    const withMapping = allocateEpoch(E, ['a', 'b'], [1n, 1n], [1n, 3n], 64_000_000_000n);
    expect(withMapping.witnessPool).toBe(full.witnessPool - 64_000_000_000n);
    expect(withMapping.witnessAmounts.reduce((x, y) => x + y)).toBe(withMapping.witnessPool);
    expect(withMapping.totalPaid + withMapping.unallocated + 64_000_000_000n + withMapping.nonPoc).toBe(E);
    expect(() => allocateEpoch(E, ['a'], [1n], [1n], full.witnessPool + 1n)).toThrow('within the witness pool');
    expect(() => allocateEpoch(E, ['a'], [1n], [1n], -1n)).toThrow('within the witness pool');
  });
});
