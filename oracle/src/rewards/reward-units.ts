/** HIP-15 reward units per PoC (oracle/README.md §Rewards per epoch): N = 4 witnesses for a full beacon unit, decay r = 0.8 past it. */
const WITNESS_REDUNDANCY = 4;
const DECAY_RATE = 0.8;
const BEACON_UNIT_CAP = 2;

/** Round to 4 decimal places, ties to even (rust_decimal's default). */
export function roundHalfEven4(value: number): number {
  const scaled = value * 10_000;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const EPS = 1e-9;
  let rounded: number;
  if (Math.abs(diff - 0.5) < EPS) rounded = floor % 2 === 0 ? floor : floor + 1;
  else rounded = diff > 0.5 ? floor + 1 : floor;
  return rounded / 10_000;
}

export function beaconRewardUnit(selectedWitnesses: number): number {
  const n = selectedWitnesses;
  if (n <= 0) return 0;
  if (n <= WITNESS_REDUNDANCY) return roundHalfEven4(n / WITNESS_REDUNDANCY);
  return roundHalfEven4(Math.min(BEACON_UNIT_CAP, BEACON_UNIT_CAP - DECAY_RATE ** (n - WITNESS_REDUNDANCY)));
}

export function witnessRewardUnit(selectedWitnesses: number): number {
  const n = selectedWitnesses;
  if (n <= 0) return 0;
  if (n <= WITNESS_REDUNDANCY) return 1;
  return roundHalfEven4((WITNESS_REDUNDANCY - 1 + DECAY_RATE ** (n - WITNESS_REDUNDANCY)) / n);
}

/** Integer shares (×10¹²) of one report: hex scale, reward unit and trust, each fixed to 4 dp so sums are exact. */
export function rewardShares(hexScale: number, rewardUnit: number, trust: number): bigint {
  if (hexScale <= 0 || rewardUnit <= 0 || trust <= 0) return 0n;
  return BigInt(Math.round(hexScale * 10_000)) * BigInt(Math.round(rewardUnit * 10_000)) * BigInt(Math.round(trust * 10_000));
}
