import { describe, expect, it } from 'vitest';
import { PairingCodes } from './pairing';

describe('pairing codes', () => {
  it('accepts the current code in any case or spacing until it is spent', () => {
    const codes = new PairingCodes();
    const { code } = codes.issue();
    expect(codes.check(code.toLowerCase().replace('-', ' '))).toBe(true);
    codes.consume();
    expect(codes.check(code)).toBe(false);
  });

  it('refuses everything before a code is issued, and an older code once a new one is', () => {
    const codes = new PairingCodes();
    expect(codes.check('ABCD-EFGH')).toBe(false);
    expect(codes.check(undefined)).toBe(false);
    const first = codes.issue().code;
    const second = codes.issue().code;
    expect(codes.check(first)).toBe(false);
    expect(codes.check(second)).toBe(true);
  });

  it('voids the code after the allowed number of wrong tries', () => {
    const codes = new PairingCodes({ maxFailedAttempts: 3 });
    const { code } = codes.issue();
    for (let i = 0; i < 3; i++) expect(codes.check(`WRONG${i}`)).toBe(false);
    expect(codes.check(code)).toBe(false);
  });

  it('expires after its lifetime', () => {
    let now = 1_000_000;
    const codes = new PairingCodes({ ttlMs: 60_000, now: () => now });
    const { code, expiresAt } = codes.issue();
    expect(expiresAt.getTime()).toBe(1_060_000);
    now = 1_060_001;
    expect(codes.check(code)).toBe(false);
    now = 1_000_000;
    expect(codes.check(code)).toBe(false);
  });
});
