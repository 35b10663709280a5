import { describe, expect, it } from 'vitest';
import { seededUniform } from '../test/seeded-random';
import { roundDecimal } from './decimal-round';

const viaText = (x: number, digits: number) => Number(x.toFixed(digits));

describe('roundDecimal', () => {
  it('equals Number(x.toFixed(digits)) on random values of every size the answers hold', () => {
    const random = seededUniform(7);
    for (let i = 0; i < 300_000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 4);
      for (const digits of [0, 1, 2, 3, 4] as const) expect(Object.is(roundDecimal(x, digits), viaText(x, digits)), `${x} to ${digits}`).toBe(true);
    }
  });

  it('equals it at and next to every half, where floating-point products round either way', () => {
    for (const digits of [1, 2, 3] as const) {
      const scale = 10 ** digits;
      for (let k = -20_000; k <= 20_000; k++) {
        const half = (k + 0.5) / scale;
        for (const x of [half, half * (1 + Number.EPSILON), half * (1 - Number.EPSILON), half + 1e-12, half - 1e-12]) {
          expect(Object.is(roundDecimal(x, digits), viaText(x, digits)), `${x} to ${digits}`).toBe(true);
        }
      }
    }
  });

  it('keeps signed zero, non-finite values and huge values as toFixed does', () => {
    for (const x of [0, -0, -0.0004, 0.0004, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, -3e25, 123_456_789_012.345]) {
      for (const digits of [0, 1, 2, 3, 4] as const) expect(Object.is(roundDecimal(x, digits), viaText(x, digits)), `${x} to ${digits}`).toBe(true);
    }
  });
});
