const SCALES = [1, 10, 100, 1000, 10_000] as const;
/** Beyond it the product's last bit is no longer far below the 1e-6 margin the fast path needs. */
const FAST_LIMIT = 1e9;

/**
 * `Number(x.toFixed(digits))` (0–4 digits), without its string round trip on the carriers' hot path. toFixed rounds
 * the exact decimal value of x half up; x·10^d computed in floating point can only land on the other integer when the
 * exact product is within its rounding error of a half, so within 1e-6 of one the answer is toFixed's own. Elsewhere
 * k / 10^d is the double nearest k·10^−d, as toFixed's text parses to: the results are identical, signed zeros
 * included (toFixed writes −0 itself without its sign, a negative value that rounds to zero with it).
 */
export function roundDecimal(x: number, digits: 0 | 1 | 2 | 3 | 4): number {
  if (x === 0) return 0;
  const scale = SCALES[digits];
  const y = x * scale;
  const k = Math.round(y);
  if (!(Math.abs(y) < FAST_LIMIT) || Math.abs(Math.abs(y - k) - 0.5) < 1e-6) return Number(x.toFixed(digits));
  return k / scale;
}
