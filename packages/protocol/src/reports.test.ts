import { describe, expect, it } from 'vitest';
import { decodeHotspotAddress, encodeHotspotAddress, generateHotspotKeypair, keypairFromSecret } from './keys';
import { ProtoWriter } from './protobuf';
import {
  MAX_REPORT_PAYLOAD_BYTES,
  canonicalWitnessBytes,
  decodeReportPayload,
  encodeReportPayload,
  signBeaconReport,
  signWitnessReport,
  verifyBeaconReport,
  verifyWitnessReport,
  type UnsignedBeaconReport,
  type UnsignedWitnessReport,
} from './reports';
import { parseReportTopic, reportTopic } from './topics';

const key = keypairFromSecret(new Uint8Array(32).fill(7));

const unsignedBeacon = (): UnsignedBeaconReport => ({
  pub_key: key.address,
  local_entropy: Uint8Array.from([1, 2, 3, 4]),
  remote_entropy: new Uint8Array(32).fill(9),
  data: new Uint8Array(51).fill(5),
  frequency: 867_900_000,
  channel: 4,
  datarate: 'SF12BW125',
  tx_power: 14,
  timestamp: 1_700_000_000_123_456_789n,
  tmst: 3_512_348_611,
});

const unsignedWitness = (): UnsignedWitnessReport => ({
  pub_key: key.address,
  data: new Uint8Array(51).fill(5),
  timestamp: 1_700_000_000_223_456_789n,
  tmst: 12,
  signal: -1080,
  snr: -35,
  frequency: 867_900_032,
  datarate: 'SF12BW125',
});

describe('hotspot keys', () => {
  it('round-trips Helium-style b58check addresses', () => {
    const kp = generateHotspotKeypair();
    expect(kp.address.startsWith('1')).toBe(true);
    expect(decodeHotspotAddress(kp.address)).toEqual(kp.publicKey);
    expect(encodeHotspotAddress(kp.publicKey)).toBe(kp.address);
    expect(keypairFromSecret(kp.secretKey).address).toBe(kp.address);
  });

  it('rejects corrupted and foreign addresses with a reason', () => {
    const flipped = key.address.slice(0, -1) + (key.address.endsWith('a') ? 'b' : 'a');
    expect(() => decodeHotspotAddress(flipped)).toThrow(/base58check/);
    expect(() => decodeHotspotAddress('0OIl')).toThrow(/base58check/);
  });
});

describe('protobuf writer', () => {
  it('encodes varints, zigzag and negative int32 like prost', () => {
    expect(Buffer.from(new ProtoWriter().uint64(1, 300).finish()).toString('hex')).toBe('08ac02');
    expect(Buffer.from(new ProtoWriter().sint32(6, -1080).finish()).toString('hex')).toBe('30ef10');
    expect(Buffer.from(new ProtoWriter().int32(7, -1).finish()).toString('hex')).toBe('38ffffffffffffffffff01');
    expect(new ProtoWriter().uint64(1, 0).bytes(2, new Uint8Array()).finish()).toHaveLength(0);
  });

  it('encodes uint64 past 32 bits from a bigint or a number, and refuses what does not fit', () => {
    const hex = (w: ProtoWriter) => Buffer.from(w.finish()).toString('hex');
    expect(hex(new ProtoWriter().uint64(1, 0xffff_ffff_ffff_ffffn))).toBe('08ffffffffffffffffff01');
    expect(hex(new ProtoWriter().uint64(1, 2 ** 40 + 3))).toBe('08838080808020');
    expect(hex(new ProtoWriter().uint64(1, 2n ** 40n + 3n))).toBe('08838080808020');
    expect(hex(new ProtoWriter().uint64(1, 2 ** 32))).toBe('088080808010');
    expect(() => new ProtoWriter().uint64(1, 2n ** 64n)).toThrow(RangeError);
    expect(() => new ProtoWriter().uint64(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().uint64(1, 1.5)).toThrow(RangeError);
  });

  it('lays the witness out in Helium field order', () => {
    const bytes = canonicalWitnessBytes(unsignedWitness());
    expect(bytes[0]).toBe(0x12); // field 2, length-delimited
    expect(bytes[1]).toBe(33); // Helium key: tag byte + 32
    expect(bytes[2]).toBe(0x01); // ed25519 mainnet tag
  });
});

describe('report signing', () => {
  it('signs and verifies beacons and witnesses', () => {
    const beacon = signBeaconReport(unsignedBeacon(), key.privateKeyObject);
    const witness = signWitnessReport(unsignedWitness(), key.privateKeyObject);
    expect(verifyBeaconReport(beacon)).toBe(true);
    expect(verifyWitnessReport(witness)).toBe(true);
    expect(verifyWitnessReport({ ...witness, signal: witness.signal + 1 })).toBe(false);
    expect(verifyBeaconReport({ ...beacon, pub_key: generateHotspotKeypair().address })).toBe(false);
  });

  it('round-trips through the MQTT payload with the same hash', () => {
    const witness = signWitnessReport(unsignedWitness(), key.privateKeyObject);
    const decoded = decodeReportPayload('witness', encodeReportPayload('witness', witness));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok || decoded.kind !== 'witness') return;
    expect(decoded.report).toEqual(witness);
    expect(verifyWitnessReport(decoded.report, decoded.canonical)).toBe(true);
    expect(decoded.hash).toMatch(/^[0-9a-f]{64}$/);
    const beacon = decodeReportPayload('beacon', encodeReportPayload('beacon', signBeaconReport(unsignedBeacon(), key.privateKeyObject)));
    expect(beacon.ok && beacon.hash).not.toBe(decoded.hash);
  });

  it('rejects malformed payloads with a reason instead of throwing', () => {
    const witness = JSON.parse(encodeReportPayload('witness', signWitnessReport(unsignedWitness(), key.privateKeyObject)).toString());
    const cases: [Uint8Array, string][] = [
      [Buffer.from('{not json'), 'malformed_json'],
      [Buffer.alloc(MAX_REPORT_PAYLOAD_BYTES + 1, 32), 'payload_too_large'],
      [Buffer.from(JSON.stringify({ ...witness, signal: 'loud' })), 'invalid_schema'],
      [Buffer.from(JSON.stringify({ ...witness, timestamp: '-5' })), 'invalid_schema'],
      [Buffer.from(JSON.stringify({ ...witness, signature: 'AAAA' })), 'invalid_schema'],
      [Buffer.from(JSON.stringify({ ...witness, extra: 1 })), 'invalid_schema'],
      [Buffer.from(JSON.stringify({ ...witness, pub_key: 'nope' })), 'invalid_schema'],
      [Buffer.from('null'), 'invalid_schema'],
    ];
    for (const [payload, reason] of cases) {
      const decoded = decodeReportPayload('witness', payload);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toBe(reason);
    }
  });
});

describe('topics', () => {
  it('builds and parses report topics', () => {
    const topic = reportTopic('EU868', key.address, 'witness');
    expect(topic).toBe(`poc/v1/eu868/hotspot/${key.address}/witness`);
    expect(parseReportTopic(topic)).toEqual({ region: 'eu868', hotspotAddress: key.address, kind: 'witness' });
    expect(parseReportTopic('poc/v1/eu868/hotspot/x/state')).toBeNull();
    expect(parseReportTopic('other/v1/eu868/hotspot/x/beacon')).toBeNull();
  });
});
