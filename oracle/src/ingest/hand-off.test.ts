import { encodeReportPayload, generateHotspotKeypair, reportTopic, signBeaconReport, signWitnessReport } from '@poc/protocol';
import { describe, expect, it } from 'vitest';
import { packMessages, packOutcomes, unpackMessages } from './hand-off';
import { decodeAndVerifyMessages } from './verify-batch';

const key = generateHotspotKeypair();
const witness = signWitnessReport(
  { pub_key: key.address, data: new Uint8Array(30).fill(9), timestamp: 1_700_000_000_000_000_000n, tmst: 1, signal: -800, snr: 20, frequency: 867_900_000, datarate: 'SF9BW125' },
  key.privateKeyObject,
);
const beacon = signBeaconReport(
  {
    pub_key: key.address,
    local_entropy: new Uint8Array([1, 2, 3, 4]),
    remote_entropy: new Uint8Array(32).fill(5),
    data: new Uint8Array(20).fill(6),
    frequency: 867_900_000,
    channel: 2,
    datarate: 'SF9BW125',
    tx_power: 14,
    timestamp: 1_700_000_000_000_000_000n,
    tmst: 2,
  },
  key.privateKeyObject,
);

describe('worker hand-off', () => {
  it('moves payloads that are views into shared socket buffers, empty ones included, and gives each back unchanged', () => {
    const socketRead = Buffer.from('xx{"a":1}yy{}zz');
    const items = [
      { topic: 't/1', payload: socketRead.subarray(2, 9) },
      { topic: 't/2', payload: socketRead.subarray(9, 9) },
      { topic: 't/3', payload: socketRead.subarray(11, 13) },
    ];
    const { packed, transfer } = packMessages(items);
    expect(transfer).toEqual([packed.payloads.buffer, packed.ends.buffer]);
    expect(packed.payloads.byteLength).toBe(9);
    const copy = structuredClone(packed, { transfer });
    expect(packed.payloads.byteLength).toBe(0); // moved, not copied
    expect(unpackMessages(copy).map((m) => ({ topic: m.topic, text: Buffer.from(m.payload).toString() }))).toEqual([
      { topic: 't/1', text: '{"a":1}' },
      { topic: 't/2', text: '' },
      { topic: 't/3', text: '{}' },
    ]);
  });

  it('returns accepted reports with their bytes in one buffer and leaves rejections as they are', () => {
    const outcomes = decodeAndVerifyMessages([
      { topic: reportTopic('EU868', key.address, 'witness'), payload: encodeReportPayload('witness', witness) },
      { topic: 'not/a/report', payload: new Uint8Array(0) },
      { topic: reportTopic('EU868', key.address, 'beacon'), payload: encodeReportPayload('beacon', beacon) },
    ]);
    const { transfer } = packOutcomes(outcomes);
    const received = structuredClone(outcomes, { transfer });
    expect(received[1]).toEqual({ ok: false, reason: 'unknown_topic', detail: null });
    const [w, , b] = received;
    if (!w?.ok || w.kind !== 'witness' || !b?.ok || b.kind !== 'beacon') throw new Error('both reports should be accepted');
    expect(w.report).toEqual(witness);
    expect(b.report).toEqual(beacon);
    const buffers = new Set([w.report.data, w.report.signature, b.report.data, b.report.signature, b.report.local_entropy, b.report.remote_entropy].map((x) => x.buffer));
    expect(buffers.size).toBe(1);
  });
});
