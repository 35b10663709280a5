import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGwmp, GwmpType, type GwmpPacket } from './codec';
import { interpretTxAck } from './tx-ack';

/** One fixture file per public source (src/gwmp/fixtures/*.json): real datagrams and what they must decode to. */
interface CorpusDatagram {
  name: string;
  dialect: string;
  type: keyof typeof GwmpType;
  /** Bytes before the JSON as the source gives them; absent = the source gives only the JSON. */
  header?: string;
  json: string;
  trailer?: string;
  expect: {
    rxpk?: (Record<string, unknown> & { payloadText?: string; payloadHex?: string })[];
    rejected?: { index: number; reason: string }[];
    stat?: Record<string, unknown>;
    txpk?: Record<string, unknown>;
    txpkAck?: Record<string, unknown> | null;
    outcome?: Record<string, unknown>;
    gatewayEui?: string;
    token?: number;
    statHasNo?: string[];
  };
  noStat?: boolean;
  rxpkHasNo?: string[];
}
interface CorpusFile {
  source: string;
  licence: string;
  datagrams: CorpusDatagram[];
}

const FIXTURES = join(__dirname, 'fixtures');
const corpus = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as CorpusFile) }));

/** Sources without headers get the spec's framing: version 2, token 0x0001, the sample EUI (PULL_RESP has none). */
function datagramOf(entry: CorpusDatagram): Buffer {
  const type = GwmpType[entry.type];
  const header = entry.header
    ? Buffer.from(entry.header, 'hex')
    : Buffer.concat([Buffer.from([2, 0x00, 0x01, type]), entry.type === 'PULL_RESP' ? Buffer.alloc(0) : Buffer.from('AA555A0000000000', 'hex')]);
  return Buffer.concat([header, Buffer.from(entry.json, 'utf8'), Buffer.from(entry.trailer ?? '', 'hex')]);
}

const rxpkCount = (json: string): number => {
  if (json.trim() === '') return 0;
  const body = JSON.parse(json) as { rxpk?: unknown[] | null };
  return Array.isArray(body.rxpk) ? body.rxpk.length : 0;
};

function expectDecodesAsItsSourceSays(entry: CorpusDatagram, packet: GwmpPacket) {
  const { expect: want } = entry;
  expect(packet.type).toBe(entry.type);
  if (want.gatewayEui !== undefined) expect(packet).toMatchObject({ gatewayEui: want.gatewayEui });
  if (want.token !== undefined) expect(packet.token).toBe(want.token);
  if (packet.type === 'PUSH_DATA') {
    // Zero valid packets lost: every rxpk of the JSON is either decoded or one of the listed (truly invalid) rejections.
    expect(packet.rejected).toEqual(want.rejected ?? []);
    expect(packet.rxpk.length + packet.rejected.filter((r) => r.index >= 0).length).toBe(rxpkCount(entry.json));
    expect(packet.rxpk).toHaveLength(want.rxpk?.length ?? 0);
    (want.rxpk ?? []).forEach(({ payloadText, payloadHex, ...fields }, i) => {
      const rxpk = packet.rxpk[i]!;
      expect(rxpk).toMatchObject(fields);
      expect(rxpk.payload).toHaveLength(rxpk.size);
      expect(typeof rxpk.rssi).toBe('number');
      if (payloadText !== undefined) expect(Buffer.from(rxpk.payload).toString()).toBe(payloadText);
      if (payloadHex !== undefined) expect(Buffer.from(rxpk.payload).toString('hex')).toBe(payloadHex);
      for (const absent of entry.rxpkHasNo ?? []) expect(rxpk).not.toHaveProperty(absent);
    });
    if (want.stat) expect(packet.stat).toMatchObject(want.stat);
    else expect(packet.stat).toBeUndefined();
    for (const absent of want.statHasNo ?? []) expect(packet.stat).not.toHaveProperty(absent);
  }
  if (packet.type === 'TX_ACK') {
    if (want.txpkAck === null) expect(packet.txpkAck).toBeUndefined();
    else expect(packet.txpkAck).toEqual(want.txpkAck);
    expect(interpretTxAck(packet.txpkAck)).toEqual(want.outcome);
  }
  if (packet.type === 'PULL_RESP') expect(packet.txpk).toMatchObject(want.txpk!);
}

describe('GWMP corpus of real datagrams (src/gwmp/fixtures)', () => {
  it('has fixtures from several sources, each naming its source and licence', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(5);
    for (const { file, source, licence, datagrams } of corpus) {
      expect(source, file).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//);
      expect(licence, file).not.toBe('');
      expect(datagrams.length, file).toBeGreaterThan(0);
    }
  });

  for (const { file, datagrams } of corpus) {
    describe(file, () => {
      for (const entry of datagrams) {
        it(`${entry.name} (${entry.dialect})`, () => {
          const decoded = decodeGwmp(datagramOf(entry));
          if (!decoded.ok) throw new Error(`rejected: ${decoded.reason}`);
          expectDecodesAsItsSourceSays(entry, decoded.packet);
        });
      }
    });
  }

  it('loses no valid rxpk in the whole corpus', () => {
    let total = 0;
    let decoded = 0;
    const rejections: string[] = [];
    for (const { file, datagrams } of corpus) {
      for (const entry of datagrams) {
        const result = decodeGwmp(datagramOf(entry));
        if (!result.ok || result.packet.type !== 'PUSH_DATA') continue;
        total += rxpkCount(entry.json);
        decoded += result.packet.rxpk.length;
        for (const r of result.packet.rejected) rejections.push(`${file} › ${entry.name} › ${r.index}: ${r.reason}`);
      }
    }
    // The only rejections are the Semtech example's broken base64 (in both Semtech specs); everything else decodes.
    expect(rejections).toEqual([
      'semtech-packet-forwarder.json › rxpk example (3 packets) › 0: invalid rxpk: data is not valid base64',
      'sx1302-hal-lora-pkt-fwd.json › rxpk example with fine timestamp (3 packets) › 0: invalid rxpk: data is not valid base64',
    ]);
    expect(decoded).toBe(total - rejections.length);
    expect(total).toBeGreaterThanOrEqual(15);
  });
});
