import fc from 'fast-check';
import {
  decodeReportPayload,
  encodeReportPayload,
  generateHotspotKeypair,
  MAX_REPORT_PAYLOAD_BYTES,
  signBeaconReport,
  verifyBeaconReport,
  type BeaconReport,
} from '@poc/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGwmp, encodeGwmp, GWMP_VERSION, interpretTxAck } from '@poc/hotspot-firmware-bridge';

/** Every property's input count, printed at the end so the run reports how much was tried. */
const tried: Record<string, number> = {};
const count = (name: string) => {
  tried[name] = (tried[name] ?? 0) + 1;
};
afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`FUZZ decoders: ${total} inputs tried ${JSON.stringify(tried)}`);
});

const REPORT_REASONS = new Set(['payload_too_large', 'malformed_json', 'invalid_schema']);
const keys = generateHotspotKeypair();
const validBeacon: BeaconReport = signBeaconReport(
  {
    pub_key: keys.address,
    local_entropy: new Uint8Array([1, 2, 3, 4]),
    remote_entropy: new Uint8Array(32).fill(7),
    data: new Uint8Array(52).fill(9),
    frequency: 868_100_000,
    channel: 0,
    datarate: 'SF7BW125',
    tx_power: 14,
    timestamp: 1_700_000_000_000_000_000n,
    tmst: 1234,
  },
  keys.privateKeyObject,
);
const validJson = JSON.parse(encodeReportPayload('beacon', validBeacon).toString()) as Record<string, unknown>;
const validDecoded = decodeReportPayload('beacon', encodeReportPayload('beacon', validBeacon));
if (!validDecoded.ok) throw new Error('fixture beacon does not decode');
const validCanonical = Buffer.from(validDecoded.canonical);

/** Strings an attacker would try: SQL, path tricks, control and non-BMP characters, format strings, huge numbers. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    "'; DROP TABLE beacon_reports; --",
    "1' OR '1'='1",
    '\u0000',
    '../../etc/passwd',
    '%s%s%n',
    '{"$gt":""}',
    '\ud800',
    '1e309',
    '-0',
    '99999999999999999999999999999',
    'NaN',
    '__proto__',
  ),
);
const hostileValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

describe('MQTT report payload decoder (decodeReportPayload) under arbitrary input', () => {
  it('never throws on arbitrary bytes and names a reason', () => {
    fc.assert(
      fc.property(fc.constantFrom('beacon' as const, 'witness' as const), fc.uint8Array({ maxLength: 6000 }), (kind, bytes) => {
        count('report:bytes');
        const r = decodeReportPayload(kind, bytes);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(REPORT_REASONS.has(r.reason)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('rejects arbitrary JSON documents with a schema reason', () => {
    fc.assert(
      fc.property(fc.constantFrom('beacon' as const, 'witness' as const), fc.jsonValue({ maxDepth: 4 }), (kind, value) => {
        count('report:json');
        const r = decodeReportPayload(kind, Buffer.from(JSON.stringify(value) ?? 'null'));
        expect(r).toMatchObject({ ok: false });
      }),
      { numRuns: 1500 },
    );
  });

  it('turns any single-field change of a signed report into a rejection or a report whose signature fails', () => {
    const fields = Object.keys(validJson);
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostileValue, (field, value) => {
        count('report:mutated-field');
        const mutated = { ...validJson, [field]: value };
        const r = decodeReportPayload('beacon', Buffer.from(JSON.stringify(mutated)));
        if (!r.ok) {
          expect(REPORT_REASONS.has(r.reason)).toBe(true);
          return;
        }
        // Decoded: either the change was a no-op re-encoding of the same value, or the signature no longer holds.
        if (r.kind !== 'beacon') throw new Error('kind changed');
        const same = Buffer.from(r.canonical).equals(validCanonical);
        const signatureChanged = field === 'signature';
        expect(verifyBeaconReport(r.report)).toBe(same && !signatureChanged);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses huge bodies before parsing them', () => {
    const huge = Buffer.alloc(MAX_REPORT_PAYLOAD_BYTES + 1, 0x20);
    count('report:huge');
    expect(decodeReportPayload('beacon', huge)).toMatchObject({ ok: false, reason: 'payload_too_large' });
    count('report:huge');
    expect(decodeReportPayload('witness', Buffer.alloc(10 * 1024 * 1024, 0x7b))).toMatchObject({ ok: false, reason: 'payload_too_large' });
  });
});

describe('Semtech GWMP v2 UDP parser (decodeGwmp) under arbitrary input', () => {
  const pushData = (body: Uint8Array) => Buffer.concat([Buffer.from([GWMP_VERSION, 0x12, 0x34, 0x00]), Buffer.from('0102030405060708', 'hex'), body]);

  it('never throws on arbitrary datagrams; a failure always has a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        count('gwmp:bytes');
        const r = decodeGwmp(bytes);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on well-framed PUSH_DATA with arbitrary JSON bodies; bad rxpk entries are listed, not fatal', () => {
    const rxpkLike = fc.record(
      {
        tmst: hostileValue, freq: fc.oneof(fc.double(), hostileValue), datr: fc.oneof(fc.constant('SF7BW125'), hostileString), rssi: hostileValue, lsnr: hostileValue,
        size: hostileValue, data: fc.oneof(fc.base64String(), hostileString), jver: hostileValue,
        // jver 2 forwarders (Kerlink): per-antenna signal instead of rssi/lsnr.
        rsig: fc.oneof(fc.array(fc.record({ ant: hostileValue, rssic: fc.oneof(fc.integer({ min: -140, max: 0 }), hostileValue), rssis: hostileValue, lsnr: hostileValue }, { requiredKeys: [] }), { maxLength: 20 }), hostileValue),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ rxpk: fc.array(rxpkLike, { maxLength: 8 }) }), fc.record({ stat: fc.jsonValue({ maxDepth: 2 }) })), (body) => {
        count('gwmp:push-data-json');
        const r = decodeGwmp(pushData(Buffer.from(JSON.stringify(body) ?? '')));
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(0);
        } else if (r.packet.type === 'PUSH_DATA') {
          for (const bad of r.packet.rejected) expect(bad.reason.length).toBeGreaterThan(0);
          for (const good of r.packet.rxpk) {
            expect(good.payload.length).toBe(good.size);
            expect(Number.isFinite(good.rssi)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on TX_ACKs with arbitrary txpk_ack objects, and reads each as sent or refused', () => {
    const ackLike = fc.record({ error: hostileValue, warn: fc.oneof(fc.constant('TX_POWER'), hostileValue), value: hostileValue, powe: hostileValue, tmst: hostileValue }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.record({ txpk_ack: ackLike }), fc.jsonValue({ maxDepth: 3 })), (body) => {
        count('gwmp:tx-ack-json');
        const r = decodeGwmp(Buffer.concat([Buffer.from([GWMP_VERSION, 0, 1, 0x05]), Buffer.from('0102030405060708', 'hex'), Buffer.from(JSON.stringify(body) ?? '')]));
        if (!r.ok) {
          expect(r.reason).toMatch(/^invalid TX_ACK: |^malformed JSON/);
          return;
        }
        if (r.packet.type !== 'TX_ACK') throw new Error('expected TX_ACK');
        const outcome = interpretTxAck(r.packet.txpkAck);
        if (outcome.accepted && outcome.powerDbm !== undefined) expect(Number.isFinite(outcome.powerDbm)).toBe(true);
        if (!outcome.accepted) expect(outcome.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes what it encodes (PULL_DATA / ACKs) for every token and EUI', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (token, eui) => {
        count('gwmp:roundtrip');
        const gatewayEui = Buffer.from(eui).toString('hex').toUpperCase();
        expect(decodeGwmp(encodeGwmp({ type: 'PULL_DATA', token, gatewayEui }))).toEqual({ ok: true, packet: { type: 'PULL_DATA', token, gatewayEui } });
        expect(decodeGwmp(encodeGwmp({ type: 'PUSH_ACK', token }))).toEqual({ ok: true, packet: { type: 'PUSH_ACK', token } });
      }),
      { numRuns: 500 },
    );
  });
});
