import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { aesCmac } from './aes-cmac';
import { keypairFromSecret } from './keys';
import {
  MAPPER_FRAME_BYTES,
  encodeMapperFrame,
  isMapperFrame,
  nextMapperCounter,
  parseMapperFrame,
  previousMapperCounter,
  verifyMapperFrameMic,
} from './mapper-frame';
import { canonicalMapperReceiptBytes, decodeMapperReceiptPayload, encodeMapperReceiptPayload, signMapperReceipt, verifyMapperReceipt } from './mapper-receipt';
import {
  encodeWalletAddress,
  walletAddressOfKey,
  keySealKeypairFromSecret,
  mapperRegistrationSchema,
  sealDeviceKey,
  signMapperRegistration,
  unsealDeviceKey,
  verifyMapperRegistration,
} from './mapper-registration';
import { REGION_PARAMS } from './regions';
import { canonicalWitnessBytes } from './reports';

const KEY = new Uint8Array(16).fill(0x2b);
const fix = { deviceId: 0x01020304, counter: 0x0001_0005, latE7: 525_200_123, lngE7: 134_050_456, hdopDeci: 9, satellites: 11 };

describe('mapper frame', () => {
  it('fits the smallest LoRa payload of every region (US915/AU915 SF10: 24 bytes)', () => {
    const smallest = Math.min(...Object.values(REGION_PARAMS).flatMap((p) => p.spreading.map((s) => s.maxPacketSize)));
    expect(smallest).toBe(24);
    expect(MAPPER_FRAME_BYTES).toBeLessThanOrEqual(smallest);
  });

  it('round-trips its fields and verifies its MIC only with the key and full counter', () => {
    const frame = encodeMapperFrame(fix, KEY);
    expect(isMapperFrame(frame)).toBe(true);
    expect(parseMapperFrame(frame)).toMatchObject({ deviceId: fix.deviceId, counterLow16: 5, latE7: fix.latE7, lngE7: fix.lngE7, hdopDeci: 9, satellites: 11 });
    expect(verifyMapperFrameMic(frame, KEY, fix.counter)).toBe(true);
    expect(verifyMapperFrameMic(frame, KEY, 5)).toBe(false); // same low bits, other 32-bit counter
    expect(verifyMapperFrameMic(frame, new Uint8Array(16).fill(1), fix.counter)).toBe(false);
    const moved = frame.slice();
    moved[8]! ^= 0x01; // one bit of latitude
    expect(verifyMapperFrameMic(moved, KEY, fix.counter)).toBe(false);
  });

  it('pins its bytes (LoRaWAN B0 + AES-CMAC MIC)', () => {
    const frame = Buffer.from(encodeMapperFrame(fix, KEY));
    // MHDR e0, tag 4d, DevAddr 01020304 LE, FCnt 0005 LE, lat 525200123 LE, lng 134050456 LE, HDOP 0.9, 11 satellites.
    expect(frame.subarray(0, 18).toString('hex')).toBe('e04d040302010500' + 'fbea4d1f' + '9872fd07' + '090b');
    const b0 = Buffer.from('49' + '00000000' + '00' + '04030201' + '05000100' + '00' + '12', 'hex');
    expect(frame.subarray(18)).toEqual(Buffer.from(aesCmac(KEY, Buffer.concat([b0, frame.subarray(0, 18)])).subarray(0, 4)));
  });

  it('is told apart from other frames by shape', () => {
    expect(isMapperFrame(new Uint8Array(22))).toBe(false);
    expect(isMapperFrame(encodeMapperFrame(fix, KEY).subarray(0, 21))).toBe(false);
    const bad = encodeMapperFrame(fix, KEY).slice();
    Buffer.from(bad.buffer).writeInt32LE(910_000_000, 8); // latitude 91°
    expect(parseMapperFrame(bad)).toBeNull();
  });

  it('reconstructs 32-bit counters from 16 on-air bits as LoRaWAN does', () => {
    expect(nextMapperCounter(null, 7)).toBe(7);
    expect(nextMapperCounter(7, 8)).toBe(8);
    expect(nextMapperCounter(0xfffe, 0x0001)).toBe(0x1_0001);
    expect(nextMapperCounter(8, 8)).toBe(0x1_0008); // a repeat of the last counter means a wrap, which its MIC refutes
    expect(previousMapperCounter(0x1_0005, 0x0005)).toBe(0x1_0005);
    expect(previousMapperCounter(0x1_0005, 0x0006)).toBe(0x0006);
    expect(previousMapperCounter(3, 4)).toBeNull();
  });
});

describe('mapper receipt', () => {
  const hotspot = keypairFromSecret(new Uint8Array(32).fill(7));
  const unsigned = {
    pub_key: hotspot.address,
    frame: encodeMapperFrame(fix, KEY),
    timestamp: 1_700_000_000_123_000_000n,
    tmst: 4_000_000,
    signal: -1053,
    snr: 72,
    frequency: 867_100_000,
    gateway_time: 1_700_000_000_122_000_000n,
    datarate: 'SF9BW125' as const,
  };

  it('signs, encodes, decodes and verifies', () => {
    const receipt = signMapperReceipt(unsigned, hotspot.privateKeyObject);
    const decoded = decodeMapperReceiptPayload(encodeMapperReceiptPayload(receipt));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(verifyMapperReceipt(decoded.receipt, decoded.canonical)).toBe(true);
    expect(decoded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyMapperReceipt({ ...decoded.receipt, signal: -1052 })).toBe(false);
  });

  it('its signed bytes can never be read as a witness report (field 1 first)', () => {
    const canonical = canonicalMapperReceiptBytes(unsigned);
    expect(Buffer.from(canonical.subarray(0, 5)).toString('hex')).toBe('0801122101');
    const asWitness = canonicalWitnessBytes({ pub_key: unsigned.pub_key, data: unsigned.frame, timestamp: unsigned.timestamp, tmst: unsigned.tmst, signal: unsigned.signal, snr: unsigned.snr, frequency: unsigned.frequency, datarate: unsigned.datarate });
    expect(Buffer.from(canonical).equals(Buffer.from(asWitness))).toBe(false);
  });

  it('rejects bad payloads with a reason', () => {
    const good = JSON.parse(encodeMapperReceiptPayload(signMapperReceipt(unsigned, hotspot.privateKeyObject)).toString()) as Record<string, unknown>;
    expect(decodeMapperReceiptPayload(Buffer.from('{'))).toMatchObject({ ok: false, reason: 'malformed_json' });
    expect(decodeMapperReceiptPayload(Buffer.alloc(5000, 0x20))).toMatchObject({ ok: false, reason: 'payload_too_large' });
    expect(decodeMapperReceiptPayload(Buffer.from(JSON.stringify({ ...good, extra: 1 })))).toMatchObject({ ok: false, reason: 'invalid_schema' });
    expect(decodeMapperReceiptPayload(Buffer.from(JSON.stringify({ ...good, frame: Buffer.alloc(22).toString('base64') })))).toMatchObject({ ok: false, reason: 'invalid_schema' });
  });
});

describe('mapper registration', () => {
  const oracle = keySealKeypairFromSecret(new Uint8Array(32).fill(9));
  const { privateKey: ownerKey, publicKey } = generateKeyPairSync('ed25519');
  const owner = walletAddressOfKey(publicKey);

  it("names a wallet by its Ed25519 public key, whichever half of the pair is given", () => {
    const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
    expect(owner).toBe(encodeWalletAddress(raw));
    expect(walletAddressOfKey(ownerKey)).toBe(owner);
    expect(owner).toMatch(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
  });

  it('seals the device key to the oracle and one device id only', () => {
    const sealed = sealDeviceKey(KEY, 42, oracle.publicKey);
    expect(unsealDeviceKey(sealed, 42, oracle)).toEqual(KEY);
    expect(unsealDeviceKey(sealed, 43, oracle)).toBeNull();
    expect(unsealDeviceKey(sealed, 42, keySealKeypairFromSecret(new Uint8Array(32).fill(8)))).toBeNull();
    const tampered = sealed.slice();
    tampered[50]! ^= 1;
    expect(unsealDeviceKey(tampered, 42, oracle)).toBeNull();
  });

  it('verifies the owner signature over device id, owner, sealed key and time', () => {
    const json = signMapperRegistration({ deviceId: 42, owner, sealedKey: sealDeviceKey(KEY, 42, oracle.publicKey), issuedAt: 1_700_000_000 }, ownerKey);
    const parsed = mapperRegistrationSchema.parse(json);
    expect(verifyMapperRegistration(parsed)).toBe(true);
    expect(verifyMapperRegistration({ ...parsed, device_id: 43 })).toBe(false);
    expect(verifyMapperRegistration({ ...parsed, issued_at: parsed.issued_at + 1 })).toBe(false);
    expect(verifyMapperRegistration({ ...parsed, sealed_key: sealDeviceKey(KEY, 42, oracle.publicKey) })).toBe(false);
  });
});
