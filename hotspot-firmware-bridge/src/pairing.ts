import { randomInt, timingSafeEqual } from 'node:crypto';

/** No 0/O, 1/I/L: the code is read off a console and typed on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export interface PairingOptions {
  /** How long a code stays valid (default 10 minutes). */
  ttlMs?: number;
  /** Wrong codes tried against the current code before it is void (default 5). */
  maxFailedAttempts?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface IssuedPairingCode {
  /** Shown as XXXX-XXXX. */
  code: string;
  expiresAt: Date;
}

/** Upper case without separators, so "abcd efgh" and "ABCD-EFGH" are the same code. */
function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * The one-time code that proves the person asking for the possession signature can read the hotspot's own
 * console: one code at a time, valid for minutes, used once, void after a few wrong tries. With ~40 bits per
 * code and 5 tries per code, a guesser's chance is about 5 in 10^12 per code the owner creates.
 */
export class PairingCodes {
  private readonly ttlMs: number;
  private readonly maxFailedAttempts: number;
  private readonly now: () => number;
  private current: { code: string; expiresAtMs: number; failures: number } | null = null;

  constructor(options: PairingOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxFailedAttempts = options.maxFailedAttempts ?? 5;
    this.now = options.now ?? Date.now;
  }

  /** A new code; the previous one, if any, stops working. */
  issue(): IssuedPairingCode {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    this.current = { code, expiresAtMs: this.now() + this.ttlMs, failures: 0 };
    return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt: new Date(this.current.expiresAtMs) };
  }

  /** True when `candidate` is the current, unexpired code; every wrong try counts against the code. */
  check(candidate: string | undefined): boolean {
    const current = this.current;
    if (!current) return false;
    if (this.now() > current.expiresAtMs) {
      this.current = null;
      return false;
    }
    const given = Buffer.from(normalise(candidate ?? ''));
    const expected = Buffer.from(current.code);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    if (++current.failures >= this.maxFailedAttempts) this.current = null;
    return false;
  }

  /** Spends the current code (after it signed once). */
  consume(): void {
    this.current = null;
  }
}
