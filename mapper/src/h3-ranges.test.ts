import { cellToParent, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { bboxRanges, descendantRange, parseBbox, resolutionForZoom } from './h3-ranges';

const inRanges = (cell: string, ranges: { lo: string; hi: string }[]) => ranges.some((r) => cell >= r.lo && cell <= r.hi);

describe('descendantRange', () => {
  it('holds every descendant and nothing else nearby', () => {
    const child = latLngToCell(52.37, 4.89, 9);
    const parent = cellToParent(child, 5);
    const range = descendantRange(parent, 9);
    expect(child >= range.lo && child <= range.hi).toBe(true);
    const outsider = latLngToCell(48.85, 2.35, 9);
    expect(outsider >= range.lo && outsider <= range.hi).toBe(false);
  });
});

describe('bboxRanges', () => {
  it('covers every res-9 cell whose centre lies inside boxes of very different sizes', () => {
    const boxes = [
      { west: 4.85, south: 52.35, east: 4.86, north: 52.36 },
      { west: 4.0, south: 52.0, east: 5.5, north: 53.0 },
      { west: -10, south: 35, east: 30, north: 60 },
    ];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const box of boxes) {
      for (const res of [4, 7, 9]) {
        const ranges = bboxRanges(box, res);
        for (let i = 0; i < 300; i++) {
          const cell = latLngToCell(box.south + rand() * (box.north - box.south), box.west + rand() * (box.east - box.west), res);
          expect(inRanges(cell, ranges)).toBe(true);
        }
      }
    }
  });

  it('handles the whole world', () => {
    const ranges = bboxRanges({ west: -180, south: -85, east: 180, north: 85 }, 4);
    expect(inRanges(latLngToCell(-33.86, 151.2, 4), ranges)).toBe(true);
    expect(inRanges(latLngToCell(64.1, -21.9, 4), ranges)).toBe(true);
  });
});

describe('parseBbox and resolutionForZoom', () => {
  it('rejects malformed boxes with a reason', () => {
    expect(parseBbox('1,2,3')).toMatch(/west,south,east,north/);
    expect(parseBbox('10,0,5,1')).toMatch(/longitudes/);
    expect(parseBbox('0,0,1,1')).toEqual({ west: 0, south: 0, east: 1, north: 1 });
  });
  it('follows the zoom table', () => {
    expect([2, 5, 6, 7, 9, 11, 15].map(resolutionForZoom)).toEqual([4, 5, 6, 7, 8, 9, 9]);
  });
});
