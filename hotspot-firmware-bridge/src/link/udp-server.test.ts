import { createSocket } from 'node:dgram';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rxpk } from '../gwmp/codec';
import { startGwmpUdpServer, type GwmpUdpServer } from './udp-server';

// The rxpk example of Semtech's PROTOCOL.TXT, compacted (its first packet has '-' in the base64).
const SPEC_PUSH_DATA_JSON =
  '{"rxpk":[{"time":"2013-03-31T16:21:17.528002Z","tmst":3512348611,"chan":2,"rfch":0,"freq":866.349812,"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/6","rssi":-35,"lsnr":5.1,"size":32,"data":"-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84"},' +
  '{"time":"2013-03-31T16:21:17.530974Z","tmst":3512348514,"chan":9,"rfch":1,"freq":869.1,"stat":1,"modu":"FSK","datr":50000,"rssi":-75,"size":16,"data":"VEVTVF9QQUNLRVRfMTIzNA=="},' +
  '{"time":"2013-03-31T16:21:17.532038Z","tmst":3316387610,"chan":0,"rfch":0,"freq":863.00981,"stat":1,"modu":"LORA","datr":"SF10BW125","codr":"4/7","rssi":-38,"lsnr":5.5,"size":32,"data":"ysgRl452xNLep9S1NTIg2lomKDxUgn3DJ7DE+b00Ass"}]}';

let server: GwmpUdpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

async function exchange(port: number, datagram: Buffer): Promise<Buffer | null> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 500);
      socket.once('message', (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(datagram, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

describe('GWMP UDP server', () => {
  it('acks the spec PUSH_DATA, forwards the valid rxpk and logs why the malformed one was rejected', async () => {
    const { logger, lines } = captureLogger();
    server = await startGwmpUdpServer({ port: 0, logger });
    const uplinks: Rxpk[] = [];
    server.onUplink((rxpk) => uplinks.push(rxpk));
    const datagram = Buffer.concat([Buffer.from([2, 0xab, 0xcd, 0]), Buffer.from('AA555A0000000000', 'hex'), Buffer.from(SPEC_PUSH_DATA_JSON)]);
    const ack = await exchange(server.port, datagram);
    expect(ack).toEqual(Buffer.from([2, 0xab, 0xcd, 1]));
    expect(uplinks.map((u) => u.tmst)).toEqual([3512348514, 3316387610]);
    expect(server.stats()).toMatchObject({ uplinks: 2, rejectedRxpk: 1, gatewayEui: 'AA555A0000000000' });
    expect(lines.find((l) => l.msg === 'rejected packet from forwarder')).toMatchObject({ index: 0, reason: 'invalid rxpk: data is not valid base64' });
  });

  it('keeps the forwarder stat sent by the virtual forwarder', async () => {
    const { startVirtualUdpForwarder } = await import('./udp-forwarder');
    server = await startGwmpUdpServer({ port: 0, logger: pino({ level: 'silent' }) });
    const forwarder = await startVirtualUdpForwarder({
      bridgePort: server.port, gatewayEui: 'AA555A0000000001', statIntervalMs: 50, position: { lat: 46.24, lng: 3.2523, altitudeM: 145 },
    });
    try {
      await expect.poll(() => server!.stats().lastStat?.stat).toMatchObject({ lati: 46.24, long: 3.2523, alti: 145, rxnb: 0, ackr: 100 });
      expect(server.stats().lastStat!.stat.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT$/);
    } finally {
      await forwarder.close();
    }
  });

  it('answers PULL_DATA with PULL_ACK and survives garbage', async () => {
    const { logger, lines } = captureLogger();
    server = await startGwmpUdpServer({ port: 0, logger });
    expect(server.isConnected()).toBe(false);
    expect(await server.transmit({ freq: 868.1, rfch: 0, modu: 'LORA', datr: 'SF7BW125', size: 0, data: '' })).toEqual({
      ok: false, reason: 'no packet forwarder connected (no recent PULL_DATA)',
    });
    expect(await exchange(server.port, Buffer.from([9, 9, 9]))).toBeNull();
    const ack = await exchange(server.port, Buffer.concat([Buffer.from([2, 0, 7, 2]), Buffer.from('AA555A0000000000', 'hex')]));
    expect(ack).toEqual(Buffer.from([2, 0, 7, 4]));
    expect(server.isConnected()).toBe(true);
    expect(lines.some((l) => l.msg === 'rejected GWMP datagram' && /too short/.test(String(l.reason)))).toBe(true);
  });
});
