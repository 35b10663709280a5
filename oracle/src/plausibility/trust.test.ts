import { describe, expect, it } from 'vitest';
import { trustScore } from './trust';

describe('trust score', () => {
  it('needs evidence before it reduces anything', () => {
    expect(trustScore(9, 9)).toBe(1);
  });
  it('tolerates a quarter of implausible links, then falls linearly to 0 at three quarters', () => {
    expect(trustScore(100, 25)).toBe(1);
    expect(trustScore(100, 50)).toBe(0.5);
    expect(trustScore(100, 60)).toBe(0.3);
    expect(trustScore(100, 75)).toBe(0);
    expect(trustScore(100, 100)).toBe(0);
  });
});
