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
import { createHash, randomBytes } from 'node:crypto';
import { crypto_core_ed25519_add, crypto_scalarmult_ed25519_base_noclamp, crypto_sign_verify_detached } from 'sodium-native';
import { describe, expect, it } from 'vitest';
import { verifyEd25519Batch, type SignedMessage } from './ed25519';
import { decodeAndVerifyMessages } from './verify-batch';

/** The Ed25519 group order L, little-endian as in a signature's S half. */
const ORDER_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (b: Uint8Array) => b.reduce((n, byte, i) => n | (BigInt(byte) << BigInt(8 * i)), 0n);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** The identity point as a public key and a signature R = identity, S = 0: valid for every message under OpenSSL. */
const identityKey = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
const identityForgery = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0));

/** Encodings of points of order 1, 2, 4 and 8, canonical and not (libsodium's list; the sign bit is not compared). */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].flatMap((h) => {
  const withSignBit = hex(h);
  withSignBit[31]! |= 0x80;
  return [hex(h), withSignBit];
});
const ORDER_8_POINT = SMALL_ORDER[6]!;

const libsodium = ({ publicKey, message, signature }: SignedMessage) => crypto_sign_verify_detached(signature, message, publicKey);

/**
 * A signer that knows its secret scalar, so tests can make signatures the usual signers never produce: with a
 * small-order component added to R or to the key, or with R of small order outright.
 */
function scalarSigner(torsionOfKey?: Uint8Array) {
  const randomScalar = () => fromLe(randomBytes(64)) % ORDER_L;
  const timesBase = (k: bigint) => {
    const point = new Uint8Array(32);
    crypto_scalarmult_ed25519_base_noclamp(point, toLe32(k));
    return point;
  };
  const add = (p: Uint8Array, q: Uint8Array) => {
    const sum = new Uint8Array(32);
    crypto_core_ed25519_add(sum, p, q);
    return sum;
  };
  const secret = randomScalar();
  const publicKey = torsionOfKey ? add(timesBase(secret), torsionOfKey) : timesBase(secret);
  /** R = [r]B (+ torsion) or R = smallOrderR with r = 0; S = r + k·secret, k = SHA-512(R ‖ A ‖ M) mod L. */
  const sign = (message: Uint8Array, r: { torsion?: Uint8Array; smallOrderR?: Uint8Array } = {}): SignedMessage => {
    const nonce = r.smallOrderR ? 0n : randomScalar();
    const rPoint = r.smallOrderR ?? (r.torsion ? add(timesBase(nonce), r.torsion) : timesBase(nonce));
    const k = fromLe(createHash('sha512').update(rPoint).update(publicKey).update(message).digest()) % ORDER_L;
    const signature = new Uint8Array(64);
    signature.set(rPoint);
    signature.set(toLe32((nonce + k * secret) % ORDER_L), 32);
    return { publicKey, message, signature };
  };
  return { publicKey, sign };
}

const keys = Array.from({ length: 4 }, () => generateHotspotKeypair());
const text = (s: string) => new TextEncoder().encode(s);
const signedBy = (k: number, message: Uint8Array): SignedMessage => ({ publicKey: keys[k]!.publicKey, message, signature: signBytes(keys[k]!.privateKeyObject, message) });
/** Eight valid signatures to put a crafted one among, so it goes through the batch equation and not alone. */
const validCompany = () => Array.from({ length: 8 }, (_, i) => signedBy(i % keys.length, text(`company ${i}`)));

describe('verifyEd25519Batch against libsodium (the verifier before) and node:crypto (OpenSSL)', () => {
  it('gives libsodium’s verdict for each signature of a batch of valid ones and bit flips of signature, message or key', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            k: fc.nat({ max: keys.length - 1 }),
            message: fc.uint8Array({ minLength: 0, maxLength: 300 }),
            flip: fc.constantFrom('none', 'none', 'none', 'signature', 'message', 'key'),
            bit: fc.nat(),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        (specs) => {
          const items = specs.map(({ k, message, flip, bit }) => {
            const item = signedBy(k, message);
            const publicKey = item.publicKey.slice();
            const target = flip === 'signature' ? item.signature : flip === 'message' ? message : flip === 'key' ? publicKey : null;
            if (target && target.length > 0) target[(bit >>> 3) % target.length]! ^= 1 << (bit & 7);
            return { ...item, publicKey, changed: target !== null && target.length > 0 };
          });
          const verdicts = verifyEd25519Batch(items);
          expect(verdicts).toEqual(items.map(libsodium));
          expect(verdicts).toEqual(items.map((i) => verifyBytes(i.publicKey, i.message, i.signature)));
          expect(verdicts).toEqual(items.map((i) => !i.changed));
        },
      ),
      { numRuns: 150 },
    );
  });

  const message = text('crafted');
  const crafted: { name: string; make(): SignedMessage; libsodium: boolean; batch: boolean }[] = [
    { name: 'valid', make: () => signedBy(0, message), libsodium: true, batch: true },
    { name: 'valid, made from the secret scalar', make: () => scalarSigner().sign(message), libsodium: true, batch: true },
    { name: 'wrong message', make: () => ({ ...signedBy(0, message), message: text('crafted!') }), libsodium: false, batch: false },
    { name: 'wrong key', make: () => ({ ...signedBy(0, message), publicKey: keys[1]!.publicKey }), libsodium: false, batch: false },
    {
      name: 'non-canonical S (S + L)',
      make: () => {
        const item = signedBy(0, message);
        const signature = item.signature.slice();
        signature.set(toLe32(fromLe(item.signature.subarray(32)) + ORDER_L), 32);
        return { ...item, signature };
      },
      libsodium: false,
      batch: false,
    },
    { name: 'small-order key (identity, R = identity, S = 0)', make: () => ({ publicKey: identityKey, message, signature: identityForgery }), libsodium: false, batch: false },
    ...SMALL_ORDER.map((r) => ({
      // [S]B − [k]A = 0 and 8·R = 0: the cofactored equation holds, only the small-order check refuses it.
      name: `small-order R ${Buffer.from(r).toString('hex')}`,
      make: () => scalarSigner().sign(message, { smallOrderR: r }),
      libsodium: false,
      batch: false,
    })),
    // The one difference (oracle/native/ed25519-batch/src/lib.rs): only the key's holder can make these.
    { name: 'R with an order-8 component', make: () => scalarSigner().sign(message, { torsion: ORDER_8_POINT }), libsodium: false, batch: true },
  ];

  it.each(crafted)('$name: libsodium $libsodium, batch $batch, alone, among valid ones and beside a bad one', ({ make, libsodium: bySodium, batch }) => {
    const item = make();
    expect(libsodium(item)).toBe(bySodium);
    expect(verifyEd25519Batch([item])).toEqual([batch]);
    const company = validCompany();
    expect(verifyEd25519Batch([...company.slice(0, 3), item, ...company.slice(3)])).toEqual([true, true, true, batch, true, true, true, true, true]);
    const bad = { ...signedBy(2, text('signed')), message: text('not signed') };
    expect(verifyEd25519Batch([bad, item, ...company])).toEqual([false, batch, ...company.map(() => true)]);
  });

  it('accepts a key with an order-8 component whatever k mod 8, where libsodium accepts it only when 8 divides k', () => {
    const signer = scalarSigner(ORDER_8_POINT);
    const items = Array.from({ length: 32 }, (_, i) => signer.sign(text(`torsion key ${i}`)));
    const bySodium = items.map(libsodium);
    expect(bySodium).toContain(false);
    expect(verifyEd25519Batch(items)).toEqual(items.map(() => true));
  });

  it('refuses the small-order-key forgery OpenSSL accepts for any message', () => {
    const forgery = { publicKey: identityKey, message: text('anything at all'), signature: identityForgery };
    expect(verifyBytes(forgery.publicKey, forgery.message, forgery.signature)).toBe(true); // what the oracle accepted before libsodium
    expect(verifyEd25519Batch([forgery, ...validCompany()])[0]).toBe(false);
  });

  it('finds exactly the bad signatures of a large batch', () => {
    const items = Array.from({ length: 300 }, (_, i) => signedBy(i % keys.length, text(`report ${i}`)));
    const bad = new Set([0, 17, 150, 299]);
    for (const i of bad) items[i] = { ...items[i]!, message: text(`forged ${i}`) };
    expect(verifyEd25519Batch(items)).toEqual(items.map((_, i) => !bad.has(i)));
  });

  it('refuses wrong lengths without throwing, and takes an empty batch', () => {
    const item = signedBy(0, new Uint8Array(8));
    expect(verifyEd25519Batch([])).toEqual([]);
    expect(
      verifyEd25519Batch([
        { ...item, publicKey: item.publicKey.subarray(1) },
        { ...item, signature: item.signature.subarray(1) },
        { ...item, signature: new Uint8Array(65) },
        item,
      ]),
    ).toEqual([false, false, false, true]);
  });
});

describe('ingest decode and verify', () => {
  const unsigned = { data: new Uint8Array(20).fill(3), timestamp: 1_700_000_000_000_000_000n, tmst: 7, signal: -900, snr: 40, frequency: 867_900_000, datarate: 'SF9BW125' as const };

  it('stores nothing from a hotspot whose key is the identity point: bad_signature', () => {
    const address = encodeHotspotAddress(identityKey);
    const payload = Buffer.from(JSON.stringify(witnessReportToJson({ ...unsigned, pub_key: address, signature: identityForgery })));
    expect(decodeAndVerifyMessages([{ topic: reportTopic('EU868', address, 'witness'), payload }])).toEqual([{ ok: false, reason: 'bad_signature', detail: null }]);
  });

  it('rejects exactly the report of a batch whose signature has one bit flipped, keeping every other outcome in order', () => {
    const reports = Array.from({ length: 12 }, (_, i) => signWitnessReport({ ...unsigned, tmst: i, pub_key: keys[i % keys.length]!.address }, keys[i % keys.length]!.privateKeyObject));
    const messages = reports.map((report) => ({ topic: reportTopic('EU868', report.pub_key, 'witness'), payload: encodeReportPayload('witness', report) }));
    const signature = reports[5]!.signature.slice();
    signature[10]! ^= 0x20;
    messages[5] = { ...messages[5]!, payload: encodeReportPayload('witness', { ...reports[5]!, signature }) };
    messages[8] = { topic: 'not/a/report', payload: messages[8]!.payload };
    const outcomes = decodeAndVerifyMessages(messages);
    expect(outcomes[5]).toEqual({ ok: false, reason: 'bad_signature', detail: null });
    expect(outcomes[8]).toEqual({ ok: false, reason: 'unknown_topic', detail: null });
    outcomes.forEach((o, i) => {
      if (i === 5 || i === 8) return;
      expect(o).toMatchObject({ ok: true, kind: 'witness', report: { tmst: i } });
    });
  });
});
