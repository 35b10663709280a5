/**
 * One epoch's reward computation for 1,000,000 hotspots and 15,000,000 witness records, in memory on columnar
 * typed arrays (the shape the runner streams from PostgreSQL). Timed core, end to end from verified records:
 *   1. HIP-17/HIP-104 hex density for all 1M asserted locations (h3),
 *   2. HIP-15 reward units per PoC from its selected-witness count (≤ 14, earliest first),
 *   3. exact integer shares (scale × unit × trust, 4 dp each) summed per hotspot for beacons and witnesses,
 *   4. emission split and largest-remainder allocation summing exactly to the PoC pools,
 *   5. cumulative totals and the Merkle tree of cumulative rewards over all 1M leaves.
 * Baseline: one scatter-add of the 15M witness records into per-hotspot sums — the least work any epoch needs.
 */
import { latLngToCell } from 'h3-js';
import { randomFillSync } from 'node:crypto';
import { allocateEpoch } from '../src/rewards/allocate';
import { computeHexDensityScales } from '../src/rewards/hex-density';
import { buildCumulativeRewardsTree } from '@poc/protocol';
import { beaconRewardUnit, witnessRewardUnit } from '../src/rewards/reward-units';

const HOTSPOTS = Number(process.env.BENCH_HOTSPOTS ?? 1_000_000);
const WITNESSES = Number(process.env.BENCH_WITNESSES ?? 15_000_000);
const MAX_SELECTED = 14;
const EMISSION = 1_000_000n * 1_000_000n;

let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

// ---- input (not timed): hotspots in 40 metro clusters over Europe, PoCs with 1–20 witness reports each ----
const genStart = performance.now();
const cities = Array.from({ length: 40 }, () => [38 + rand() * 20, -8 + rand() * 32] as const);
const locations: string[] = new Array(HOTSPOTS);
for (let i = 0; i < HOTSPOTS; i++) {
  const [lat, lng] = cities[i % cities.length]!;
  const r = Math.sqrt(rand()) * 0.6;
  const a = rand() * 2 * Math.PI;
  locations[i] = latLngToCell(lat + r * Math.cos(a), lng + r * Math.sin(a) * 1.4, 12);
}
const trust4 = new Uint16Array(HOTSPOTS).map(() => (rand() < 0.02 ? Math.floor(rand() * 10_000) : 10_000));
// Keys are generated in ascending order so index order is key order (what the tree and tie-breaks sort by).
const pubkeys = new Uint8Array(HOTSPOTS * 32);
randomFillSync(pubkeys);
for (let i = 0; i < HOTSPOTS; i++) new DataView(pubkeys.buffer).setUint32(i * 32, i);
const previousCumulative = new BigUint64Array(HOTSPOTS).map(() => BigInt(Math.floor(rand() * 1e9)));
// Witness records grouped by beacon (CSR): beaconOffsets[b]..beaconOffsets[b+1] in received order.
const beaconer: number[] = [];
const offsets: number[] = [0];
const witnessHotspot = new Int32Array(WITNESSES);
const witnessValid = new Uint8Array(WITNESSES);
for (let w = 0; w < WITNESSES; ) {
  const b = beaconer.length;
  beaconer.push(Math.floor(rand() * HOTSPOTS));
  const count = Math.min(WITNESSES - w, 1 + Math.floor(rand() * 20));
  for (let k = 0; k < count; k++, w++) {
    witnessHotspot[w] = Math.floor(rand() * HOTSPOTS);
    witnessValid[w] = rand() < 0.85 ? 1 : 0;
  }
  offsets.push(w);
  void b;
}
const beaconHotspot = Int32Array.from(beaconer);
const beaconOffsets = Int32Array.from(offsets);
const inputSeconds = (performance.now() - genStart) / 1000;
const rssAfterInput = process.memoryUsage().rss;

// ---- baseline: scatter-add of every witness record ----
const baseStart = performance.now();
const floor = new Float64Array(HOTSPOTS);
for (let w = 0; w < WITNESSES; w++) floor[witnessHotspot[w]!]! += witnessValid[w]!;
const baselineSeconds = (performance.now() - baseStart) / 1000;

// ---- timed core ----
const start = performance.now();
const density = computeHexDensityScales(locations);
const scale4 = new Uint16Array(HOTSPOTS);
for (let i = 0; i < HOTSPOTS; i++) scale4[i] = Math.round(density[i]! * 10_000);
const densitySeconds = (performance.now() - start) / 1000;

// Integer shares fit doubles exactly while a hotspot's epoch sum stays < 2^53 (≥ 4500 max-weight reports).
const beaconShares = new Float64Array(HOTSPOTS);
const witnessShares = new Float64Array(HOTSPOTS);
const beaconUnit4 = Array.from({ length: MAX_SELECTED + 1 }, (_, n) => Math.round(beaconRewardUnit(n) * 10_000));
const witnessUnit4 = Array.from({ length: MAX_SELECTED + 1 }, (_, n) => Math.round(witnessRewardUnit(n) * 10_000));
for (let b = 0; b < beaconHotspot.length; b++) {
  const from = beaconOffsets[b]!;
  const to = beaconOffsets[b + 1]!;
  let valid = 0;
  for (let w = from; w < to; w++) valid += witnessValid[w]!;
  const selected = Math.min(valid, MAX_SELECTED);
  if (selected === 0) continue;
  const h = beaconHotspot[b]!;
  const scale = scale4[h]!;
  beaconShares[h]! += scale * beaconUnit4[selected]! * trust4[h]!;
  const unit = witnessUnit4[selected]!;
  for (let w = from, taken = 0; w < to && taken < selected; w++) {
    if (!witnessValid[w]) continue;
    taken++;
    const wh = witnessHotspot[w]!;
    witnessShares[wh]! += scale * unit * trust4[wh]!;
  }
}
const toBig = (a: Float64Array) => {
  const out: bigint[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isSafeInteger(a[i]!)) throw new Error('share sum exceeds exact double range');
    out[i] = BigInt(a[i]!);
  }
  return out;
};
const sharesSeconds = (performance.now() - start) / 1000 - densitySeconds;
const allocation = allocateEpoch(EMISSION, null, toBig(beaconShares), toBig(witnessShares));
if (allocation.totalPaid + allocation.unallocated + allocation.nonPoc !== EMISSION) throw new Error('allocation does not sum to the emission');
const allocationSeconds = (performance.now() - start) / 1000 - densitySeconds - sharesSeconds;
const leaves = new Array(HOTSPOTS);
for (let i = 0; i < HOTSPOTS; i++) {
  leaves[i] = { hotspotKey: pubkeys.subarray(i * 32, i * 32 + 32), cumulative: previousCumulative[i]! + allocation.beaconAmounts[i]! + allocation.witnessAmounts[i]! };
}
const tree = buildCumulativeRewardsTree(leaves);
const seconds = (performance.now() - start) / 1000;
const merkleSeconds = seconds - densitySeconds - sharesSeconds - allocationSeconds;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

console.log(
  `epoch rewards: ${HOTSPOTS} hotspots, ${WITNESSES} witness records, ${beaconHotspot.length} PoCs; input built in ${inputSeconds.toFixed(1)} s ` +
    `(${(rssAfterInput / 2 ** 20).toFixed(0)} MB RSS); density ${densitySeconds.toFixed(1)} s (${new Set(density).size} distinct scales), shares ${sharesSeconds.toFixed(1)} s, ` +
    `allocation ${allocationSeconds.toFixed(1)} s, cumulative + Merkle ${merkleSeconds.toFixed(1)} s (root ${tree.root.toString('hex').slice(0, 16)}…); ` +
    `total ${seconds.toFixed(1)} s (goal < 60 s), peak RSS ${peakRssMb.toFixed(0)} MB (goal < 2048 MB); paid ${allocation.totalPaid} of ${EMISSION}`,
);
console.log(`BENCH oracle-epoch-rewards-1M-hotspots-15M-witnesses: ${seconds.toFixed(2)} s | baseline ${baselineSeconds.toFixed(3)} s | ratio ${(seconds / baselineSeconds).toFixed(1)}`);
console.log(`BENCH oracle-epoch-rewards-peak-rss: ${peakRssMb.toFixed(0)} MB | baseline ${(rssAfterInput / 2 ** 20).toFixed(0)} MB | ratio ${(peakRssMb / (rssAfterInput / 2 ** 20)).toFixed(2)}`);
