import { gridDisk, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { H3Slots } from './h3-slots';

describe('H3Slots', () => {
  it('finds the slot of every cell stored and nothing for the cells around them', () => {
    const cells = gridDisk(latLngToCell(52.37, 4.89, 9), 120); // 43,561 cells
    const slots = new H3Slots(16);
    cells.forEach((cell, i) => expect(slots.set(cell, i)).toBe(true));
    expect(slots.size).toBe(cells.length);
    cells.forEach((cell, i) => expect(slots.get(cell)).toBe(i));
    const outside = gridDisk(latLngToCell(48.85, 2.35, 9), 30);
    for (const cell of outside) expect(slots.get(cell)).toBeUndefined();
    // Other resolutions of the same place are other keys.
    expect(slots.get(latLngToCell(52.37, 4.89, 8))).toBeUndefined();
    expect(slots.get(latLngToCell(52.37, 4.89, 10))).toBeUndefined();
  });

  it('replaces a stored slot and refuses text that is not 1–16 hex digits', () => {
    const slots = new H3Slots();
    const cell = latLngToCell(-33.87, 151.21, 9);
    slots.set(cell, 1);
    slots.set(cell, 7);
    expect(slots.size).toBe(1);
    expect(slots.get(cell)).toBe(7);
    for (const text of ['', 'not-a-cell', `${cell}00`, 'ffffffffffffffff0', '891fb466257ffg']) {
      expect(slots.set(text, 3)).toBe(false);
      expect(slots.get(text)).toBeUndefined();
    }
  });
});
