import { cellToParent, getResolution, gridDisk, isValidCell } from 'h3-js';
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

/**
 * HIP-17 hex density scaling: counts asserted locations per res-11 cell, rolls them up to res 4, clipping each
 * parent by how many of its neighbours (itself included) reach the target density, and returns for every
 * asserted cell the product of clipped/unclipped over its parents, rounded to 4 dp (ties to even).
 */
export function computeHexDensity(locations: Iterable<string>): Map<string, number> {
  const unclipped = new Map<string, number>();
  const clipped = new Map<string, number>();
  const parentOf = new Map<string, string>();
  const asserted = new Map<string, string>(); // asserted cell → its res-11 parent

  for (const cell of locations) {
    if (!isValidCell(cell) || getResolution(cell) < BASE_RES) continue;
    let base = asserted.get(cell);
    if (base === undefined) {
      base = getResolution(cell) === BASE_RES ? cell : cellToParent(cell, BASE_RES);
      asserted.set(cell, base);
    }
    unclipped.set(base, (unclipped.get(base) ?? 0) + 1);
    clipped.set(base, (clipped.get(base) ?? 0) + 1);
  }

  let level = [...unclipped.keys()];
  for (const [res, cfg] of HIP104_RES_CONFIG) {
    const parents = new Set<string>();
    for (const child of level) {
      const parent = cellToParent(child, res);
      parentOf.set(child, parent);
      const count = clipped.get(child) ?? 0;
      unclipped.set(parent, (unclipped.get(parent) ?? 0) + count);
      clipped.set(parent, (clipped.get(parent) ?? 0) + count);
      parents.add(parent);
    }
    // A cell reaches the target after clipping iff it did before (limit ≥ target), so the update order cannot matter.
    for (const parent of parents) {
      let occupied = 0;
      for (const neighbour of gridDisk(parent, 1)) if ((clipped.get(neighbour) ?? 0) >= cfg.target) occupied++;
      clipped.set(parent, Math.min(limitFor(cfg, occupied), unclipped.get(parent)!));
    }
    level = [...parents];
  }

  const chainProduct = new Map<string, number>();
  const product = (cell: string): number => {
    const known = chainProduct.get(cell);
    if (known !== undefined) return known;
    const parent = parentOf.get(cell);
    const value = (clipped.get(cell)! / unclipped.get(cell)!) * (parent === undefined ? 1 : product(parent));
    chainProduct.set(cell, value);
    return value;
  };
  const scales = new Map<string, number>();
  for (const [cell, base] of asserted) scales.set(cell, roundHalfEven4(product(base)));
  return scales;
}

/** The beaconer's scale; a hex missing from the density map gets Helium's default 0.2. */
export const hexScaleFor = (density: Map<string, number>, cell: string | null): number =>
  (cell !== null ? density.get(cell) : undefined) ?? MISSING_HEX_SCALE;
