import { getResolution, gridDisk, isValidCell } from 'h3-js';
import { MISSING_HEX_SCALE } from '../verify/constants';
import { roundHalfEven4 } from './reward-units';

interface ResConfig {
  neighbors: number;
  target: number;
  max: number;
}

/** HIP-17 density parameters as amended by HIP-104 (poc_rules.md §2), resolutions 10 → 4. */
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
 * Cells are handled as numbers per resolution: key = base cell · 8^res + digits 1…res (octal). That fits a double
 * exactly (< 2^41 at res 11), and a parent is just floor(key / 8): no H3 calls or strings in the hot loops.
 */
const RES_SHIFT = 52n;
const BASE_SHIFT = 45n;

function cellKey(cell: string): { res: number; key: number } {
  const v = BigInt(`0x${cell}`);
  const res = Number((v >> RES_SHIFT) & 0xfn);
  const base = Number((v >> BASE_SHIFT) & 0x7fn);
  const digits = Number((v >> BigInt((15 - res) * 3)) & ((1n << BigInt(res * 3)) - 1n));
  return { res, key: base * 8 ** res + digits };
}

function keyToCell(res: number, key: number): string {
  const base = Math.floor(key / 8 ** res);
  const digits = BigInt(key - base * 8 ** res);
  const unused = BigInt((15 - res) * 3);
  const v = (1n << 59n) | (BigInt(res) << RES_SHIFT) | (BigInt(base) << BASE_SHIFT) | (digits << unused) | ((1n << unused) - 1n);
  return v.toString(16);
}

/**
 * HIP-17 hex density scaling: counts asserted locations per res-11 cell, rolls them up to res 4, clipping each
 * parent by how many of its neighbours (itself included) reach the target density, and returns for every
 * asserted cell the product of clipped/unclipped over its parents, rounded to 4 dp (ties to even).
 */
export function computeHexDensity(locations: Iterable<string>): Map<string, number> {
  const unclipped: Map<number, number>[] = []; // index = resolution
  const clipped: Map<number, number>[] = [];
  for (let r = 0; r <= BASE_RES; r++) {
    unclipped.push(new Map());
    clipped.push(new Map());
  }
  const asserted = new Map<string, number>(); // asserted cell → its res-11 key

  for (const cell of locations) {
    let base = asserted.get(cell);
    if (base === undefined) {
      if (!isValidCell(cell) || getResolution(cell) < BASE_RES) continue;
      const { res, key } = cellKey(cell);
      base = Math.floor(key / 8 ** (res - BASE_RES));
      asserted.set(cell, base);
    }
    unclipped[BASE_RES]!.set(base, (unclipped[BASE_RES]!.get(base) ?? 0) + 1);
    clipped[BASE_RES]!.set(base, (clipped[BASE_RES]!.get(base) ?? 0) + 1);
  }

  for (const [res, cfg] of HIP104_RES_CONFIG) {
    const childClipped = clipped[res + 1]!;
    const u = unclipped[res]!;
    const c = clipped[res]!;
    for (const [child, count] of childClipped) {
      const parent = Math.floor(child / 8);
      u.set(parent, (u.get(parent) ?? 0) + count);
    }
    // A cell reaches the target after clipping iff it did before (limit ≥ target), so the update order cannot matter.
    for (const [parent, count] of u) c.set(parent, count);
    for (const [parent, count] of u) {
      // limit lies in [target, max]: at or under the target, or when max = target, neighbours cannot change the result.
      if (count <= cfg.target || cfg.max === cfg.target) {
        c.set(parent, Math.min(cfg.target, count));
        continue;
      }
      let occupied = 0;
      for (const neighbour of gridDisk(keyToCell(res, parent), 1)) if ((c.get(cellKey(neighbour).key) ?? 0) >= cfg.target) occupied++;
      c.set(parent, Math.min(limitFor(cfg, occupied), count));
    }
  }

  // Product of clipped/unclipped from res 4 down to each res-11 cell, memoised per resolution.
  const products: Map<number, number>[] = [];
  for (let r = 0; r <= BASE_RES; r++) products.push(new Map());
  const product = (res: number, key: number): number => {
    const known = products[res]!.get(key);
    if (known !== undefined) return known;
    const ratio = clipped[res]!.get(key)! / unclipped[res]!.get(key)!;
    const value = res === 4 ? ratio : ratio * product(res - 1, Math.floor(key / 8));
    products[res]!.set(key, value);
    return value;
  };
  const scales = new Map<string, number>();
  for (const [cell, base] of asserted) scales.set(cell, roundHalfEven4(product(BASE_RES, base)));
  return scales;
}

/** The beaconer's scale; a hex missing from the density map gets Helium's default 0.2. */
export const hexScaleFor = (density: Map<string, number>, cell: string | null): number =>
  (cell !== null ? density.get(cell) : undefined) ?? MISSING_HEX_SCALE;
