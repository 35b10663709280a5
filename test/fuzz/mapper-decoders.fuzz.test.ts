import fc from 'fast-check';
import {
  decodeMapperReceiptPayload,
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  generateHotspotKeypair,
  isMapperFrame,
  MAPPER_FRAME_MHDR,
  MAPPER_FRAME_TAG,
  nextMapperCounter,
  parseMapperFrame,
  signMapperReceipt,
  verifyMapperFrameMic,
  verifyMapperReceipt,
} from '@poc/protocol';
import { describe, expect, it } from 'vitest';

const REASONS = new Set(['payload_too_large', 'malformed_json', 'invalid_schema']);
const keys = generateHotspotKeypair();
const KEY = new Uint8Array(16).fill(3);
const frame = encodeMapperFrame({ deviceId: 9, counter: 70_000, latE7: 525_000_000, lngE7: 134_000_000, hdopDeci: 10, satellites: 8 }, KEY);
const valid = signMapperReceipt(
  { pub_key: keys.address, frame, timestamp: 1n, tmst: 2, signal: -900, snr: 10, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
  keys.privateKeyObject,
);
const validJson = JSON.parse(encodeMapperReceiptPayload(valid).toString()) as Record<string, unknown>;

describe('mapper decoders under hostile input', () => {
  it('decodeMapperReceiptPayload never throws on arbitrary bytes and names a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const out = decodeMapperReceiptPayload(bytes);
        expect(out.ok || REASONS.has(out.reason)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a receipt with any one field replaced is refused or no longer verifies', () => {
    const fields = Object.keys(validJson).filter((f) => f !== 'signature');
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        fc.pre(JSON.stringify(value) !== JSON.stringify(validJson[field]));
        const out = decodeMapperReceiptPayload(Buffer.from(JSON.stringify({ ...validJson, [field]: value })));
        if (out.ok) expect(verifyMapperReceipt(out.receipt, out.canonical)).toBe(false);
        else expect(REASONS.has(out.reason)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('frame parsing and MIC checks never throw, and a flipped bit never verifies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 24 }), fc.nat({ max: 0xffff_ffff }), (bytes, counter) => {
        if (bytes.length === 22) [bytes[0], bytes[1]] = [MAPPER_FRAME_MHDR, MAPPER_FRAME_TAG];
        expect(parseMapperFrame(bytes) === null || isMapperFrame(bytes)).toBe(true);
        expect(typeof verifyMapperFrameMic(bytes, KEY, counter)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: 22 * 8 - 1 }), (bit) => {
        const altered = frame.slice();
        altered[bit >> 3]! ^= 1 << (bit & 7);
        expect(verifyMapperFrameMic(altered, KEY, 70_000)).toBe(false);
      }),
      { numRuns: 22 * 8 },
    );
  });

  it('the reconstructed counter is above the last one and carries the frame low bits', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xfffe_0000 }), fc.nat({ max: 0xffff }), (last, low) => {
        const next = nextMapperCounter(last, low);
        expect(next).toBeGreaterThan(last);
        expect(next - last).toBeLessThanOrEqual(0x10000);
        expect(next & 0xffff).toBe(low);
      }),
      { numRuns: 2000 },
    );
  });
});
