import fc from 'fast-check';
import {
  encodeHotspotAddress,
  encodeReportPayload,
  generateHotspotKeypair,
  reportTopic,
  signBytes,
  signWitnessReport,
  verifyBytes,
  witnessReportToJson,
} from '@poc/protocol';
import { describe, expect, it } from 'vitest';
import { verifyEd25519 } from './ed25519';
import { decodeAndVerifyMessage } from './verify-batch';

/** The Ed25519 group order L, little-endian as in a signature's S half. */
const ORDER_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe32 = (b: Uint8Array) => b.reduce((n, byte, i) => n | (BigInt(byte) << BigInt(8 * i)), 0n);

/** The identity point as a public key and a signature R = identity, S = 0: valid for every message under OpenSSL. */
const identityKey = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
const identityForgery = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0));

const keys = Array.from({ length: 4 }, () => generateHotspotKeypair());

describe('verifyEd25519 (libsodium) against node:crypto (OpenSSL, the verifier before)', () => {
  it('agrees on valid signatures and on every bit flip of signature, message or key', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: keys.length - 1 }),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.constantFrom('none', 'signature', 'message', 'key'),
        fc.nat(),
        (k, message, flip, bit) => {
          const key = keys[k]!;
          const signature = signBytes(key.privateKeyObject, message);
          const publicKey = key.publicKey.slice();
          const target = flip === 'signature' ? signature : flip === 'message' ? message : flip === 'key' ? publicKey : null;
          if (target && target.length > 0) target[(bit >>> 3) % target.length]! ^= 1 << (bit & 7);
          const ours = verifyEd25519(publicKey, message, signature);
          expect(ours).toBe(verifyBytes(publicKey, message, signature));
          expect(ours).toBe(target === null || target.length === 0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses a non-canonical S (S + L), as OpenSSL does', () => {
    const message = new TextEncoder().encode('malleability');
    const signature = signBytes(keys[0]!.privateKeyObject, message);
    const malleated = signature.slice();
    malleated.set(toLe32(fromLe32(signature.subarray(32)) + ORDER_L), 32);
    expect(verifyEd25519(keys[0]!.publicKey, message, signature)).toBe(true);
    expect(verifyBytes(keys[0]!.publicKey, message, malleated)).toBe(false);
    expect(verifyEd25519(keys[0]!.publicKey, message, malleated)).toBe(false);
  });

  it('refuses the small-order-key forgery OpenSSL accepts for any message', () => {
    const message = new TextEncoder().encode('anything at all');
    expect(verifyBytes(identityKey, message, identityForgery)).toBe(true); // what the oracle accepted before
    expect(verifyEd25519(identityKey, message, identityForgery)).toBe(false);
  });

  it('refuses wrong lengths without throwing', () => {
    const message = new Uint8Array(8);
    const signature = signBytes(keys[0]!.privateKeyObject, message);
    expect(verifyEd25519(keys[0]!.publicKey.subarray(1), message, signature)).toBe(false);
    expect(verifyEd25519(keys[0]!.publicKey, message, signature.subarray(1))).toBe(false);
    expect(verifyEd25519(keys[0]!.publicKey, message, new Uint8Array(65))).toBe(false);
  });
});

describe('ingest decode and verify', () => {
  const unsigned = { data: new Uint8Array(20).fill(3), timestamp: 1_700_000_000_000_000_000n, tmst: 7, signal: -900, snr: 40, frequency: 867_900_000, datarate: 'SF9BW125' as const };

  it('stores nothing from a hotspot whose key is the identity point: bad_signature', () => {
    const address = encodeHotspotAddress(identityKey);
    const payload = Buffer.from(JSON.stringify(witnessReportToJson({ ...unsigned, pub_key: address, signature: identityForgery })));
    expect(decodeAndVerifyMessage({ topic: reportTopic('EU868', address, 'witness'), payload })).toEqual({ ok: false, reason: 'bad_signature', detail: null });
  });

  it('accepts a correctly signed report and rejects it once one signature bit is flipped', () => {
    const report = signWitnessReport({ ...unsigned, pub_key: keys[1]!.address }, keys[1]!.privateKeyObject);
    const topic = reportTopic('EU868', report.pub_key, 'witness');
    expect(decodeAndVerifyMessage({ topic, payload: encodeReportPayload('witness', report) })).toMatchObject({ ok: true, kind: 'witness' });
    const signature = report.signature.slice();
    signature[10]! ^= 0x20;
    expect(decodeAndVerifyMessage({ topic, payload: encodeReportPayload('witness', { ...report, signature }) })).toEqual({ ok: false, reason: 'bad_signature', detail: null });
  });
});
