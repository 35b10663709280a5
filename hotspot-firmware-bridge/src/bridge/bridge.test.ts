import { createSocket } from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rxpk, Txpk, TxpkAck } from '../gwmp/codec';
import { createInProcessLink } from '../link/in-process';
import { startVirtualUdpForwarder, type VirtualUdpForwarder } from '../link/udp-forwarder';
import { startGwmpUdpServer, type GwmpUdpServer } from '../link/udp-server';
import {
  beaconFrame,
  decodeReportPayload,
  encodeEntropyPayload,
  keypairFromSecret,
  loraTimeOnAirMs,
  parseLoraDatarate,
  signEntropy,
  verifyBeaconReport,
  verifyWitnessReport,
  type Datarate,
  type ReportKind,
} from '@poc/protocol';
import { HotspotBridge } from './bridge';

const logger = pino({ level: 'silent' });
const oracle = keypairFromSecret(new Uint8Array(32).fill(42));
const hotspot = keypairFromSecret(new Uint8Array(32).fill(1));
// Helium verifier fixture (packages/protocol/SPEC.md §Beacon payload).
const REMOTE = Buffer.from('b6aa3f80d9355f139d998626b8d1ff1776cda36ae11a10006a8d516546276b09', 'hex');
const ENTROPY_TS = 1677163710n;
const LOCAL = Uint8Array.from([233, 70, 25, 176]);
const VECTOR_TXPK_DATA = '4ByZEkFg6DuShn1jDK9MntIc/ZI7u8t6kjHxnJRK9kQRCNQwBpg63Z66ZSU7h34SSPRBrg==';

const entropyMessage = (signer = oracle, timestamp = ENTROPY_TS) =>
  encodeEntropyPayload(signEntropy({ data: REMOTE, timestamp, version: 0, oracle_key: signer.address }, signer.privateKeyObject));

class CapturingSink {
  reports: { kind: ReportKind; topic: string; payload: Buffer }[] = [];
  async submit(kind: ReportKind, topic: string, payload: Buffer) {
    this.reports.push({ kind, topic, payload });
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function udpPair() {
  const server: GwmpUdpServer = await startGwmpUdpServer({ port: 0, logger });
  const forwarder: VirtualUdpForwarder = await startVirtualUdpForwarder({ bridgePort: server.port, gatewayEui: 'AA555A0000000001' });
  cleanups.push(() => server.close(), () => forwarder.close());
  await forwarder.ready;
  return { server, forwarder };
}

const beaconRxpk = (data: Uint8Array, overrides: Partial<Rxpk> = {}): Rxpk => {
  const frame = beaconFrame(data);
  return {
    tmst: 123456, freq: 867.9, chan: 4, rfch: 0, stat: 1, modu: 'LORA', datr: 'SF12BW125', codr: '4/5',
    rssi: -101, lsnr: -3.5, size: frame.length, data: Buffer.from(frame).toString('base64'), payload: frame, ...overrides,
  };
};

describe('hotspot bridge over real GWMP/UDP', () => {
  it('sends the reference beacon as a PULL_RESP txpk and reports it signed', async () => {
    const { server, forwarder } = await udpPair();
    const transmitted: Txpk[] = [];
    forwarder.onTransmit((txpk): TxpkAck => {
      transmitted.push(txpk);
      return { error: 'NONE' };
    });
    const sink = new CapturingSink();
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: () => Number(ENTROPY_TS) * 1000 + 30_000, localEntropy: () => LOCAL,
    });
    expect(bridge.handleEntropyMessage(entropyMessage())).toBe(true);
    const outcome = await bridge.beaconNow();
    expect(outcome.sent).toBe(true);
    expect(transmitted).toHaveLength(1);
    expect(transmitted[0]).toMatchObject({ imme: true, freq: 867.9, rfch: 0, powe: 14, modu: 'LORA', datr: 'SF12BW125', codr: '4/5', ipol: false, size: 52 });
    expect(transmitted[0]!.data).toBe(VECTOR_TXPK_DATA);
    expect(sink.reports).toHaveLength(1);
    const decoded = decodeReportPayload('beacon', sink.reports[0]!.payload);
    if (!decoded.ok || decoded.kind !== 'beacon') throw new Error('bad beacon report');
    expect(verifyBeaconReport(decoded.report, decoded.canonical)).toBe(true);
    expect(decoded.report).toMatchObject({ pub_key: hotspot.address, frequency: 867_900_000, channel: 4, datarate: 'SF12BW125', tx_power: 14 });
    expect(Buffer.from(decoded.report.data).toString('base64')).toBe('HJkSQWDoO5KGfWMMr0ye0hz9kju7y3qSMfGclEr2RBEI1DAGmDrdnrplJTuHfhJI9EGu');
    expect(decoded.report.local_entropy).toEqual(LOCAL);
    expect(sink.reports[0]!.topic).toBe(`poc/v1/eu868/hotspot/${hotspot.address}/beacon`);
    expect(decoded.report.timestamp).toBe((ENTROPY_TS * 1000n + 30_000n) * 1_000_000n);

    // Our own beacon heard back is not witnessed.
    const own = await bridge.handleUplink(beaconRxpk(decoded.report.data));
    expect(own).toEqual({ witnessed: false, reason: 'own_beacon' });
  });

  it('reports the power from TX_ACK, and does not report a refused beacon', async () => {
    const { server, forwarder } = await udpPair();
    let ack: TxpkAck = { error: 'NONE', powe: 12 };
    forwarder.onTransmit(() => ack);
    const sink = new CapturingSink();
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'US915', antennaGainDdbi: 80, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: () => Number(ENTROPY_TS) * 1000 + 1000,
    });
    bridge.handleEntropyMessage(entropyMessage());
    const sent = await bridge.beaconNow();
    expect(sent.sent && sent.report.tx_power).toBe(12);
    expect(sent.sent && sent.txpk.powe).toBe(28);
    expect(sent.sent && sent.txpk.datr).toBe('SF9BW125');
    ack = { error: 'COLLISION_PACKET' };
    expect(await bridge.beaconNow()).toEqual({ sent: false, reason: 'forwarder refused the beacon: COLLISION_PACKET' });
    expect(sink.reports).toHaveLength(1);
  });

  it('only beacons with fresh entropy signed by the trusted oracle', async () => {
    const { server } = await udpPair();
    const sink = new CapturingSink();
    let now = Number(ENTROPY_TS) * 1000;
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: () => now,
    });
    expect(await bridge.beaconNow()).toEqual({ sent: false, reason: 'no entropy from the oracle yet' });
    const impostor = keypairFromSecret(new Uint8Array(32).fill(9));
    expect(bridge.handleEntropyMessage(entropyMessage(impostor))).toBe(false);
    expect(bridge.handleEntropyMessage(Buffer.from('garbage'))).toBe(false);
    expect(bridge.handleEntropyMessage(entropyMessage())).toBe(true);
    expect(bridge.handleEntropyMessage(entropyMessage(oracle, ENTROPY_TS - 15n))).toBe(false);
    now += 181_000;
    expect(await bridge.beaconNow()).toEqual({ sent: false, reason: 'entropy is older than its 180 s lifespan' });
    expect(bridge.status().counters.entropyRejected).toBe(2);
  });

  it('witnesses a beacon received through PUSH_DATA once, with rssis, snr and frequency', async () => {
    const { server, forwarder } = await udpPair();
    const sink = new CapturingSink();
    new HotspotBridge({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger,
    });
    const data = new Uint8Array(51).fill(7);
    forwarder.deliver(beaconRxpk(data, { rssi: -99, rssis: -101.4, lsnr: -7.25 }));
    forwarder.deliver(beaconRxpk(data));
    forwarder.deliver(beaconRxpk(new Uint8Array(51).fill(8), { stat: -1 }));
    forwarder.deliver({ ...beaconRxpk(new Uint8Array(51)), size: 20, payload: new Uint8Array(20), data: Buffer.alloc(20).toString('base64') });
    forwarder.deliver(beaconRxpk(new Uint8Array(51).fill(9), { rssi: -120, lsnr: 2, freq: 867.900032 }));
    await expect.poll(() => server.stats().uplinks).toBe(5);
    await expect.poll(() => sink.reports.length).toBe(2);
    const [first, second] = sink.reports.map((r) => decodeReportPayload('witness', r.payload));
    if (!first?.ok || first.kind !== 'witness' || !second?.ok || second.kind !== 'witness') throw new Error('bad witness');
    expect(verifyWitnessReport(first.report, first.canonical)).toBe(true);
    expect(first.report).toMatchObject({ signal: -1014, snr: -72, frequency: 867_900_000, tmst: 123456, datarate: 'SF12BW125' });
    expect(first.report.data).toEqual(data);
    expect(second.report).toMatchObject({ signal: -1200, snr: 20, frequency: 867_900_032 });
  });

  it('reports the power the forwarder actually used when it clips the beacon (sx1302 warn TX_POWER)', async () => {
    const { server, forwarder } = await udpPair();
    forwarder.onTransmit((): TxpkAck => ({ warn: 'TX_POWER', value: 20 }));
    const sink = new CapturingSink();
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'US915', antennaGainDdbi: 0, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: () => Number(ENTROPY_TS) * 1000 + 1000,
    });
    bridge.handleEntropyMessage(entropyMessage());
    const sent = await bridge.beaconNow();
    if (!sent.sent) throw new Error(sent.reason);
    expect(sent.txpk.powe).toBe(36);
    expect(sent.report.tx_power).toBe(20);
    const decoded = decodeReportPayload('beacon', sink.reports[0]!.payload);
    expect(decoded.ok && decoded.kind === 'beacon' && decoded.report.tx_power).toBe(20);
    expect(bridge.status().lastBeacon?.txPower).toBe(20);
  });

  it('warns once about a forwarder that clips every beacon the same way, and again when the limitation changes', async () => {
    const { server, forwarder } = await udpPair();
    let clippedTo = 20;
    forwarder.onTransmit((): TxpkAck => ({ warn: 'TX_POWER', value: clippedTo }));
    const lines: { level: number; msg: string }[] = [];
    const recording = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    let now = Number(ENTROPY_TS) * 1000 + 1000;
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'US915', antennaGainDdbi: 0, link: server, sink: new CapturingSink(), oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger: recording, nowMs: () => now,
    });
    bridge.handleEntropyMessage(entropyMessage());
    const warnings = () => lines.filter((l) => l.msg === 'forwarder sent the beacon with a limitation' && l.level === 40).length;
    for (const clip of [20, 20, 20, 18]) {
      clippedTo = clip;
      const sent = await bridge.beaconNow();
      if (!sent.sent) throw new Error(sent.reason);
      now += 1000;
    }
    expect(warnings()).toBe(2);
    expect(lines.filter((l) => l.msg === 'forwarder sent the beacon with a limitation').length).toBe(4);
  });

  it('witnesses a beacon from a jver 2 forwarder that reports signal only per antenna (Kerlink rsig)', async () => {
    const server = await startGwmpUdpServer({ port: 0, logger });
    const socket = createSocket('udp4');
    cleanups.push(() => server.close(), () => new Promise<void>((resolve) => socket.close(() => resolve())));
    const sink = new CapturingSink();
    new HotspotBridge({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, link: server, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger,
    });
    const frame = beaconFrame(new Uint8Array(51).fill(5));
    // The shape of helium/semtech-udp's Kerlink capture (fixtures/helium-semtech-udp-datagrams.json), carrying a beacon.
    const json = JSON.stringify({
      rxpk: [{
        aesk: 0, brd: 0, codr: '4/5', data: Buffer.from(frame).toString('base64'), datr: 'SF12BW125', freq: 867.9, jver: 2, modu: 'LORA',
        rsig: [
          { ant: 0, chan: 4, lsnr: -7.25, rssic: -108, rssis: -116, etime: '+PeyOghPpvR4YnV9mNJt0w==', foff: 3773 },
          { ant: 1, chan: 4, lsnr: -9, rssic: -110, rssis: -112.4, etime: 'BIuzSsIZVqi2aCfDYImC6Q==', foff: 3786 },
        ],
        size: frame.length, stat: 1, time: '2022-05-27T09:41:21.091993Z', tmst: 3593099307,
      }],
    });
    const datagram = Buffer.concat([Buffer.from('027814007276ff0044010010', 'hex'), Buffer.from(json)]);
    await new Promise<void>((resolve, reject) => socket.send(datagram, server.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    await expect.poll(() => sink.reports.length).toBe(1);
    expect(server.stats()).toMatchObject({ uplinks: 1, rejectedRxpk: 0, rejectedDatagrams: 0 });
    const witness = decodeReportPayload('witness', sink.reports[0]!.payload);
    if (!witness.ok || witness.kind !== 'witness') throw new Error('bad witness');
    expect(verifyWitnessReport(witness.report, witness.canonical)).toBe(true);
    // The best antenna (1: signal RSSI -112.4 dBm beats -116) gives signal and SNR.
    expect(witness.report).toMatchObject({ signal: -1124, snr: -90, frequency: 867_900_000, tmst: 3593099307, datarate: 'SF12BW125' });
  });

  it('runs the same core over the in-process link', async () => {
    const { link, forwarder } = createInProcessLink();
    const sink = new CapturingSink();
    const txs: Txpk[] = [];
    forwarder.onTransmit((txpk) => {
      txs.push(txpk);
      return { error: 'NONE' };
    });
    const bridge = new HotspotBridge({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, link, sink, oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: () => Number(ENTROPY_TS) * 1000 + 30_000, localEntropy: () => LOCAL,
    });
    bridge.handleEntropyMessage(entropyMessage());
    await bridge.beaconNow();
    expect(txs[0]!.data).toBe(VECTOR_TXPK_DATA);
    forwarder.deliver(beaconRxpk(new Uint8Array(51).fill(3)));
    await expect.poll(() => sink.reports.length).toBe(2);
  });
});

describe('beacon airtime rules', () => {
  const start = Number(ENTROPY_TS) * 1000 + 1_000;
  const airtimeOf = (txpk: Txpk) => {
    const lora = parseLoraDatarate(txpk.datr as Datarate)!;
    return loraTimeOnAirMs({ spreadingFactor: lora.spreadingFactor, bandwidthHz: lora.bandwidthKhz * 1000, payloadBytes: txpk.size });
  };
  const bridgeIn = (region: 'EU868' | 'US915' | 'AU915' | 'AS923_1', clock: () => number) => {
    const { link, forwarder } = createInProcessLink();
    const txs: Txpk[] = [];
    forwarder.onTransmit((txpk) => {
      txs.push(txpk);
      return { error: 'NONE' };
    });
    const bridge = new HotspotBridge({
      keypair: hotspot, region, antennaGainDdbi: 12, link, sink: new CapturingSink(), oracleAddress: oracle.address,
      beaconIntervalSeconds: 60, logger, nowMs: clock, localEntropy: () => LOCAL,
    });
    bridge.handleEntropyMessage(entropyMessage());
    return { bridge, txs };
  };

  it('withholds an EU868 beacon that would exceed 1 % of the last hour: counted, logged, never sent; it fits again once the window slides', async () => {
    let now = start;
    const { bridge, txs } = bridgeIn('EU868', () => now);
    const outcomes = [];
    for (let i = 0; i < 15; i++) {
      outcomes.push(await bridge.beaconNow());
      now += 1_000;
    }
    // SF12 52-byte frames take 2465.8 ms: 14 fit in 36 s, the 15th does not.
    expect(outcomes.slice(0, 14).every((o) => o.sent)).toBe(true);
    expect(outcomes[14]).toMatchObject({ sent: false, reason: expect.stringMatching(/^duty cycle: 2465\.8 ms more would exceed EU868's 10 ‰ of the last hour$/) });
    expect(txs).toHaveLength(14);
    expect(airtimeOf(txs[0]!)).toBeCloseTo(2465.792, 6);
    expect(bridge.counters).toMatchObject({ beaconsSent: 14, beaconsSkipped: 1, beaconsOverDutyCycle: 1, beaconsOverDwellTime: 0 });
    expect(bridge.airtimeUsedMs()).toBeCloseTo(14 * 2465.792, 6);

    // An hour after the first beacon it has left the window: one more fits, then the next is withheld again.
    now = start + 3_600_000;
    bridge.handleEntropyMessage(entropyMessage(oracle, BigInt(Math.floor(now / 1000))));
    expect((await bridge.beaconNow()).sent).toBe(true);
    expect((await bridge.beaconNow()).sent).toBe(false);
    expect(txs).toHaveLength(15);
    expect(bridge.counters.beaconsOverDutyCycle).toBe(2);
  });

  it('beacons in the 400 ms dwell-time plans at a datarate that fits, with no duty-cycle limit', async () => {
    for (const region of ['US915', 'AU915', 'AS923_1'] as const) {
      const { bridge, txs } = bridgeIn(region, () => start);
      for (let i = 0; i < 30; i++) expect((await bridge.beaconNow()).sent, region).toBe(true);
      expect(new Set(txs.map((t) => t.datr)), region).toEqual(new Set(['SF9BW125']));
      expect(airtimeOf(txs[0]!), region).toBeCloseTo(328.704, 6);
      expect(bridge.counters, region).toMatchObject({ beaconsSent: 30, beaconsOverDutyCycle: 0, beaconsOverDwellTime: 0 });
      expect(bridge.airtimeUsedMs(), region).toBe(0);
    }
  });
});
