/**
 * Counts refused API keys per client address in fixed one-minute windows, so guessing key ids is rate limited
 * (each unknown id costs a database lookup). Memory is bounded: at most `maxAddresses` are tracked per window and any
 * further address shares one overflow counter, which only makes the limit stricter for them.
 */
export interface InvalidKeyLimiter {
  /** Seconds until the address may try again, or 0 when it is under its limit. */
  blockedFor(address: string, now?: number): number;
  /** Records one refused key from the address. */
  recordFailure(address: string, now?: number): void;
}

const WINDOW_MS = 60_000;
const OVERFLOW = '\u0000overflow';

export function invalidKeyLimiter(options: { perMinute: number; maxAddresses?: number }): InvalidKeyLimiter {
  const maxAddresses = options.maxAddresses ?? 100_000;
  let windowStart = 0;
  let failures = new Map<string, number>();

  const roll = (now: number) => {
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now - (now % WINDOW_MS);
      failures = new Map();
    }
  };
  const slot = (address: string) => (failures.has(address) || failures.size < maxAddresses ? address : OVERFLOW);

  return {
    blockedFor(address, now = Date.now()) {
      roll(now);
      if ((failures.get(slot(address)) ?? 0) < options.perMinute) return 0;
      return Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    },
    recordFailure(address, now = Date.now()) {
      roll(now);
      const key = slot(address);
      failures.set(key, (failures.get(key) ?? 0) + 1);
    },
  };
}
