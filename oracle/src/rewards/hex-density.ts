import { gridDisk } from 'h3-js';
import { MISSING_HEX_SCALE } from '../verify/constants';
import { roundHalfEven4 } from './reward-units';

interface ResConfig {
  neighbors: number;
  target: number;
  max: number;
}

/** HIP-17 density parameters as amended by HIP-104 (oracle/README.md §Helium reference), resolutions 10 → 4. */
export const HIP104_RES_CONFIG: ReadonlyArray<readonly [number, ResConfig]> = [
  [10, { neighbors: 2, target: 1, max: 1 }],
  [9, { neighbors: 2, target: 1, max: 1 }],
  [8, { neighbors: 2, target: 1, max: 1 }],
  [7, { neighbors: 4, target: 5, max: 10 }],
  [6, { neighbors: 4, target: 25, max: 50 }],
  [5, { neighbors: 4, target: 100, max: 200 }],
  [4, { neighbors: 2, target: 500, max: 1000 }],
];
const BASE_RES = 11;

const limitFor = (cfg: ResConfig, occupied: number) => Math.min(cfg.max, cfg.target * (Math.max(occupied - cfg.neighbors, 0) + 1));

/*
 * Cells are numbers per resolution: key = base cell · 8^res + digits 1…res (octal), exact in a double (< 2^41 at
 * res 11), and a parent is floor(key / 8). Each resolution is a sorted array of keys with counts, so the roll-up is a
 * linear scan and the few neighbour look-ups are binary searches: no maps or strings in the hot path.
 */
const TWO_32 = 2 ** 32;

/** Resolution-11 key of an H3 cell string, or -1 when it is not a cell of resolution ≥ 11. */
function res11Key(cell: string): number {
  if (cell.length > 16) return -1;
  const hex = cell.padStart(16, '0');
  const hi = parseInt(hex.slice(0, 8), 16);
  const lo = parseInt(hex.slice(8), 16);
  if (Number.isNaN(hi) || Number.isNaN(lo) || ((hi >>> 27) & 0xf) !== 1) return -1;
  const res = (hi >>> 20) & 0xf;
  const base = (hi >>> 13) & 0x7f;
  if (res < BASE_RES || base > 121) return -1;
  const digits45 = (hi & 0x1fff) * TWO_32 + lo;
  return base * 8 ** BASE_RES + Math.floor(digits45 / 8 ** (15 - BASE_RES));
}

function keyOf(cell: string, res: number): number {
  const hex = cell.padStart(16, '0');
  const hi = parseInt(hex.slice(0, 8), 16);
  const lo = parseInt(hex.slice(8), 16);
  const base = (hi >>> 13) & 0x7f;
  return base * 8 ** res + Math.floor(((hi & 0x1fff) * TWO_32 + lo) / 8 ** (15 - res));
}

function keyToCell(res: number, key: number): string {
  const base = Math.floor(key / 8 ** res);
  const digits = BigInt(key - base * 8 ** res);
  const unused = BigInt((15 - res) * 3);
  const v = (1n << 59n) | (BigInt(res) << 52n) | (BigInt(base) << 45n) | (digits << unused) | ((1n << unused) - 1n);
  return v.toString(16);
}

function indexOf(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

interface Level {
  keys: Float64Array;
  unclipped: Float64Array;
  clipped: Float64Array;
  /** Index of each cell's parent in the next coarser level. */
  parent: Int32Array;
}

/**
 * HIP-17 hex density scaling: counts asserted locations per res-11 cell, rolls them up to res 4, clipping each
 * parent by how many of its neighbours (itself included) reach the target density; a location's scale is the
 * product of clipped/unclipped over its parents, rounded to 4 dp (ties to even). Returns one scale per input
 * location (NaN for an input that is not a cell of resolution ≥ 11).
 */
export function computeHexDensityScales(locations: readonly string[]): Float64Array {
  const own = new Float64Array(locations.length);
  for (let i = 0; i < locations.length; i++) own[i] = res11Key(locations[i]!);
  const sorted = own.slice().sort();
  let start = 0;
  while (start < sorted.length && sorted[start]! < 0) start++;

  // res 11: unique keys with their location counts
  const levels: Level[] = [];
  {
    const keys: number[] = [];
    const counts: number[] = [];
    for (let i = start; i < sorted.length; i++) {
      if (keys.length > 0 && keys[keys.length - 1] === sorted[i]) counts[counts.length - 1]!++;
      else {
        keys.push(sorted[i]!);
        counts.push(1);
      }
    }
    levels[BASE_RES] = { keys: Float64Array.from(keys), unclipped: Float64Array.from(counts), clipped: Float64Array.from(counts), parent: new Int32Array(keys.length) };
  }

  for (const [res, cfg] of HIP104_RES_CONFIG) {
    const child = levels[res + 1]!;
    const keys: number[] = [];
    const unclipped: number[] = [];
    for (let i = 0; i < child.keys.length; i++) {
      const parent = Math.floor(child.keys[i]! / 8);
      if (keys.length === 0 || keys[keys.length - 1] !== parent) {
        keys.push(parent);
        unclipped.push(0);
      }
      unclipped[unclipped.length - 1]! += child.clipped[i]!;
      child.parent[i] = keys.length - 1;
    }
    const level: Level = { keys: Float64Array.from(keys), unclipped: Float64Array.from(unclipped), clipped: Float64Array.from(unclipped), parent: new Int32Array(keys.length) };
    // A cell reaches the target after clipping iff it did before (limit ≥ target), so the update order cannot matter.
    for (let i = 0; i < level.keys.length; i++) {
      const count = level.unclipped[i]!;
      // limit lies in [target, max]: at or under the target, or when max = target, neighbours cannot change the result.
      if (count <= cfg.target || cfg.max === cfg.target) {
        level.clipped[i] = Math.min(cfg.target, count);
        continue;
      }
      let occupied = 0;
      for (const neighbour of gridDisk(keyToCell(res, level.keys[i]!), 1)) {
        const j = indexOf(level.keys, keyOf(neighbour, res));
        if (j >= 0 && level.clipped[j]! >= cfg.target) occupied++;
      }
      level.clipped[i] = Math.min(limitFor(cfg, occupied), count);
    }
    levels[res] = level;
  }

  // Products from res 4 down to res 11.
  let above = Float64Array.from(levels[4]!.keys, (_, i) => levels[4]!.clipped[i]! / levels[4]!.unclipped[i]!);
  for (let res = 5; res <= BASE_RES; res++) {
    const level = levels[res]!;
    const product = new Float64Array(level.keys.length);
    for (let i = 0; i < level.keys.length; i++) product[i] = (level.clipped[i]! / level.unclipped[i]!) * above[level.parent[i]!]!;
    above = product;
  }
  const base = levels[BASE_RES]!;
  const scales = new Float64Array(locations.length);
  for (let i = 0; i < locations.length; i++) {
    const j = own[i]! < 0 ? -1 : indexOf(base.keys, own[i]!);
    scales[i] = j < 0 ? Number.NaN : roundHalfEven4(above[j]!);
  }
  return scales;
}

/** The density map: asserted cell → scale (cells that are not resolution ≥ 11 are left out). */
export function computeHexDensity(locations: Iterable<string>): Map<string, number> {
  const list = [...locations];
  const scales = computeHexDensityScales(list);
  const map = new Map<string, number>();
  list.forEach((cell, i) => {
    if (!Number.isNaN(scales[i]!)) map.set(cell, scales[i]!);
  });
  return map;
}

/** The beaconer's scale; a hex missing from the density map gets Helium's default 0.2. */
export const hexScaleFor = (density: Map<string, number>, cell: string | null): number =>
  (cell !== null ? density.get(cell) : undefined) ?? MISSING_HEX_SCALE;
