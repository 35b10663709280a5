import { getHexagonAreaAvg, getHexagonEdgeLengthAvg, getResolution, latLngToCell, polygonToCells } from 'h3-js';

export const MIN_RESOLUTION = 4;
export const MAX_RESOLUTION = 9;

/** Map zoom → H3 resolution the map asks for (coarser when zoomed out, so a big network stays smooth). */
export function resolutionForZoom(zoom: number): number {
  if (zoom <= 4) return 4;
  if (zoom < 6) return 5;
  if (zoom < 7) return 6;
  if (zoom < 9) return 7;
  if (zoom < 11) return 8;
  return 9;
}

export interface Bbox {
  west: number;
  south: number;
  east: number;
  north: number;
}

export function parseBbox(text: string): Bbox | string {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return 'bbox must be "west,south,east,north" in degrees';
  const [west, south, east, north] = parts as [number, number, number, number];
  if (south < -90 || north > 90 || south > north) return 'bbox latitudes must satisfy -90 ≤ south ≤ north ≤ 90';
  if (west < -180 || east > 180 || west > east) return 'bbox longitudes must satisfy -180 ≤ west ≤ east ≤ 180 (split boxes crossing the antimeridian)';
  return { west, south, east, north };
}

const RES_SHIFT = 52n;
const RES_MASK = 0xfn << RES_SHIFT;
const digitShift = (digit: number) => BigInt((15 - digit) * 3);

/**
 * The numeric (and, for fixed-width hex text, lexical) range holding every descendant of `cell` at `res`.
 * Descendants share the parent's base cell and leading digits, so they sit in one contiguous index range.
 */
export function descendantRange(cell: string, res: number): { lo: string; hi: string } {
  const parentRes = getResolution(cell);
  let lo = (BigInt(`0x${cell}`) & ~RES_MASK) | (BigInt(res) << RES_SHIFT);
  let hi = lo;
  for (let d = parentRes + 1; d <= res; d++) {
    lo &= ~(7n << digitShift(d));
    hi = (hi & ~(7n << digitShift(d))) | (6n << digitShift(d));
  }
  return { lo: lo.toString(16).padStart(15, '0'), hi: hi.toString(16).padStart(15, '0') };
}

const EARTH_KM_PER_DEG = 111.32;
const MAX_COARSE_CELLS = 400;

function bboxAreaKm2(b: Bbox): number {
  const midLat = ((b.south + b.north) / 2) * (Math.PI / 180);
  return (b.east - b.west) * EARTH_KM_PER_DEG * Math.cos(midLat) * (b.north - b.south) * EARTH_KM_PER_DEG;
}

/**
 * Index ranges at `res` that together hold every cell whose centre lies in `bbox`.
 * A handful of coarse cells cover the (padded) box; each contributes the range of its descendants.
 */
export function bboxRanges(bbox: Bbox, res: number): { lo: string; hi: string }[] {
  const area = Math.max(bboxAreaKm2(bbox), 1e-6);
  let coarse = res;
  while (coarse > 0 && area / getHexagonAreaAvg(coarse, 'km2') > MAX_COARSE_CELLS) coarse--;
  // Descendants can poke out of their ancestor by a fraction of its edge; pad by two edges so none is missed.
  const padDeg = (getHexagonEdgeLengthAvg(coarse, 'km') * 2) / EARTH_KM_PER_DEG;
  const padded: Bbox = {
    west: Math.max(-180, bbox.west - padDeg / Math.max(0.05, Math.cos(((bbox.south + bbox.north) / 2) * (Math.PI / 180)))),
    east: Math.min(180, bbox.east + padDeg / Math.max(0.05, Math.cos(((bbox.south + bbox.north) / 2) * (Math.PI / 180)))),
    south: Math.max(-90, bbox.south - padDeg),
    north: Math.min(90, bbox.north + padDeg),
  };
  const cells = new Set<string>();
  // h3 polygons must stay well under a hemisphere: cover large boxes in slices.
  const step = 60;
  for (let w = padded.west; w < padded.east; w += step) {
    const e = Math.min(padded.east, w + step);
    for (let s = padded.south; s < padded.north; s += step) {
      const n = Math.min(padded.north, s + step);
      const ring = [[s, w], [s, e], [n, e], [n, w], [s, w]];
      for (const c of polygonToCells(ring, coarse)) cells.add(c);
      // Tiny boxes may contain no coarse centre at all: include the cells at the corners and middle too.
      for (const [lat, lng] of [[s, w], [s, e], [n, e], [n, w], [(s + n) / 2, (w + e) / 2]] as const) cells.add(latLngToCellSafe(lat, lng, coarse));
    }
  }
  return [...cells].filter(Boolean).sort().map((c) => descendantRange(c, res));
}

function latLngToCellSafe(lat: number, lng: number, res: number): string {
  try {
    return latLngToCell(lat, lng, res);
  } catch {
    return '';
  }
}

export function inBbox(lat: number, lng: number, b: Bbox, padDeg = 0): boolean {
  return lat >= b.south - padDeg && lat <= b.north + padDeg && lng >= b.west - padDeg && lng <= b.east + padDeg;
}
