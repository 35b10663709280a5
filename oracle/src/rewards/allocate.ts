/**
 * Epoch emission split and exact integer allocation.
 *
 * Our network has no data-credit traffic, so Helium's whole DC pool (0.50·E) is "unused" and flows to PoC
 * (oracle/README.md §Rewards per epoch, §Helium reference): beacon pool = 0.06·E + 0.2·0.50·E = 0.16·E,
 * witness pool = 0.24·E + 0.8·0.50·E = 0.64·E.
 * The remaining 0.20·E (operations 0.07, oracle 0.07, unassigned 0.06) is recorded as `nonPoc`, never paid to hotspots.
 */
export interface EmissionSplit {
  emission: bigint;
  beaconPool: bigint;
  witnessPool: bigint;
  nonPoc: bigint;
}

export function splitEmission(emission: bigint): EmissionSplit {
  if (emission < 0n) throw new Error('emission must be non-negative');
  const pocPool = (emission * 80n) / 100n;
  const beaconPool = (emission * 16n) / 100n;
  return { emission, beaconPool, witnessPool: pocPool - beaconPool, nonPoc: emission - pocPool };
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Largest-remainder apportionment: every index gets floor(pool·share/total), and the few base units left over go
 * one each to the largest remainders, ties broken by key ascending. The result sums to exactly `pool`
 * (or to 0 when no one has shares — the caller records that pool as unallocated).
 */
export function allocateProportionally(pool: bigint, shares: readonly bigint[], keys: readonly string[] | null): bigint[] {
  if (keys !== null && shares.length !== keys.length) throw new Error('shares and keys differ in length');
  const amounts: bigint[] = new Array(shares.length);
  let total = 0n;
  for (const s of shares) {
    if (s < 0n) throw new Error('shares must be non-negative');
    total += s;
  }
  if (total === 0n || pool === 0n) return amounts.fill(0n);
  const remainders: bigint[] = new Array(shares.length);
  let paid = 0n;
  for (let i = 0; i < shares.length; i++) {
    const product = pool * shares[i]!;
    amounts[i] = product / total;
    remainders[i] = product % total;
    paid += amounts[i]!;
  }
  let left = Number(pool - paid);
  if (left > 0) {
    const candidates: number[] = [];
    // Doubles order the remainders fast; equal doubles fall back to the exact bigint, then to the key.
    const approx = new Float64Array(shares.length);
    for (let i = 0; i < shares.length; i++) {
      if (remainders[i]! > 0n) {
        candidates.push(i);
        approx[i] = Number(remainders[i]!);
      }
    }
    candidates.sort((a, b) => {
      const da = approx[a]!;
      const db = approx[b]!;
      if (da !== db) return db - da;
      const ra = remainders[a]!;
      const rb = remainders[b]!;
      // keys === null: the caller's order already is key order
      return ra > rb ? -1 : ra < rb ? 1 : keys === null ? a - b : compareKeys(keys[a]!, keys[b]!);
    });
    for (const i of candidates) {
      if (left === 0) break;
      amounts[i]! += 1n;
      left--;
    }
  }
  return amounts;
}

export interface EpochAllocation extends EmissionSplit {
  beaconAmounts: bigint[];
  witnessAmounts: bigint[];
  totalPaid: bigint;
  /** PoC pool with no shares to pay it to (e.g. an epoch without valid PoCs). */
  unallocated: bigint;
}

/**
 * Splits the emission and allocates both PoC pools; `paid + unallocated + mappingPool + nonPoc === emission` always.
 * `mappingPool` is taken from the witness pool (rewards/epoch-mapping.ts pays it); `witnessPool` is what is left.
 */
export function allocateEpoch(
  emission: bigint,
  keys: readonly string[] | null,
  beaconShares: readonly bigint[],
  witnessShares: readonly bigint[],
  mappingPool = 0n,
): EpochAllocation {
  const full = splitEmission(emission);
  if (mappingPool < 0n || mappingPool > full.witnessPool) throw new Error('the mapping pool must lie within the witness pool');
  const split = { ...full, witnessPool: full.witnessPool - mappingPool };
  const beaconAmounts = allocateProportionally(split.beaconPool, beaconShares, keys);
  const witnessAmounts = allocateProportionally(split.witnessPool, witnessShares, keys);
  let totalPaid = 0n;
  for (let i = 0; i < beaconAmounts.length; i++) totalPaid += beaconAmounts[i]! + witnessAmounts[i]!;
  return { ...split, beaconAmounts, witnessAmounts, totalPaid, unallocated: split.beaconPool + split.witnessPool - totalPaid };
}

// ---- Helium's own rewarder arithmetic (oracle/README.md §Helium reference, fixture 13) ----
// Kept to prove we read the reference the same way.

const DP15 = 10n ** 15n;

/** Decimal with 15 fractional digits as a scaled bigint. */
const fromRatio = (num: bigint, den: bigint) => (num * DP15) / den;

function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num % den;
  const twice = 2n * r;
  if (twice > den || (twice === den && q % 2n !== 0n)) return q + 1n;
  return q;
}

/** rate = pool / Σshares rounded half-even to 15 dp; each amount = trunc(rate × share). Shares are ×10⁴ integers. */
function heliumPay(poolFp: bigint, shares: readonly bigint[]): bigint[] {
  const total = shares.reduce((a, b) => a + b, 0n);
  if (total === 0n) return shares.map(() => 0n);
  const rateFp = divRoundHalfEven(poolFp * 10_000n, total);
  return shares.map((s) => (rateFp * s) / 10_000n / DP15);
}

export interface HeliumRewardInput {
  emission: bigint;
  /** Bones of DC value used, already min(value, 0.50·E) ×10¹⁵ rounded up, as Helium's rewarder computes it. */
  dcUsedFp: bigint;
  beaconShares: bigint[];
  witnessShares: bigint[];
  dcTransferred: bigint[];
}

/** Helium's IoT rewarder split with its truncations and `unallocated_poc`; used only to check against its fixture. */
export function heliumRewards(input: HeliumRewardInput) {
  const E = input.emission;
  const dcPoolFp = fromRatio(E * 50n, 100n);
  const unusedFp = dcPoolFp - input.dcUsedFp;
  const beaconPoolFp = fromRatio(E * 6n, 100n) + (unusedFp * 2n) / 10n;
  const witnessPoolFp = fromRatio(E * 24n, 100n) + (unusedFp * 8n) / 10n;
  const beacon = heliumPay(beaconPoolFp, input.beaconShares);
  const witness = heliumPay(witnessPoolFp, input.witnessShares);
  const dc = heliumPay(input.dcUsedFp, input.dcTransferred.map((d) => d * 10_000n));
  const paid = [...beacon, ...witness, ...dc].reduce((a, b) => a + b, 0n);
  return {
    beacon,
    witness,
    dc,
    unallocatedPoc: (fromRatio(E * 80n, 100n) - paid * DP15) / DP15,
    operations: (E * 7n) / 100n,
    oracle: (E * 7n) / 100n,
  };
}
