import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { decodeGwmp, encodeGwmp, GWMP_VERSION, GwmpType, type Rxpk, type RxpkJson, type Stat, type Txpk, type TxpkAck } from '../gwmp/codec';
import type { VirtualForwarder } from './types';

export interface VirtualUdpForwarderOptions {
  /** Bridge UDP port on 127.0.0.1. */
  bridgePort: number;
  gatewayEui: string;
  /** PULL_DATA keepalive period (the reference forwarder's global_conf uses 10 s). */
  keepaliveMs?: number;
  /** `stat` report period (the reference forwarder: 30 s); 0 disables. */
  statIntervalMs?: number;
  /** Position reported in `stat`, as a GPS-equipped gateway does. */
  position?: { lat: number; lng: number; altitudeM: number };
  /** Rewrites the `stat` object as a forwarder dialect writes it (e.g. Kerlink: `"ackr":null`). */
  formatStat?: (stat: Stat) => Record<string, unknown>;
  /** Writes `"stat":null` next to every rxpk, as the ChirpStack UDP forwarder before v4.1.1 does. */
  nullStatWithUplinks?: boolean;
}

/** A PUSH_DATA datagram with its JSON body written as given (dialects write fields encodeGwmp never would). */
function pushData(gatewayEui: string, body: Record<string, unknown>): Buffer {
  const head = Buffer.from([GWMP_VERSION, 0, 0, GwmpType.PUSH_DATA]);
  head.writeUInt16BE(randomInt(0x10000), 1);
  return Buffer.concat([head, Buffer.from(gatewayEui, 'hex'), Buffer.from(JSON.stringify(body))]);
}

export interface VirtualUdpForwarder extends VirtualForwarder {
  /** Resolves once the bridge has answered a PULL_DATA, i.e. downlinks can reach us. */
  ready: Promise<void>;
  stats(): { pushAcks: number; pullAcks: number; pullResps: number; rejected: number; received: number; forwarded: number; transmitted: number };
}

/** A packet forwarder as seen from the network: speaks real GWMP v2 over loopback UDP to the bridge. */
export async function startVirtualUdpForwarder(options: VirtualUdpForwarderOptions): Promise<VirtualUdpForwarder> {
  const socket: Socket = createSocket('udp4');
  let transmitter: ((txpk: Txpk) => TxpkAck | undefined) | null = null;
  const counters = { pushesSent: 0, pushAcks: 0, pullAcks: 0, pullResps: 0, rejected: 0, received: 0, forwarded: 0, transmitted: 0 };
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let closed = false;
  // Radio deliveries are scheduled ahead; after close() they are simply dropped, like packets to a switched-off gateway.
  const send = (bytes: Buffer) => {
    if (!closed) socket.send(bytes, options.bridgePort, '127.0.0.1');
  };

  socket.on('message', (datagram: Buffer) => {
    const decoded = decodeGwmp(datagram);
    if (!decoded.ok) {
      counters.rejected++;
      return;
    }
    const packet = decoded.packet;
    if (packet.type === 'PUSH_ACK') counters.pushAcks++;
    else if (packet.type === 'PULL_ACK') {
      counters.pullAcks++;
      markReady();
    } else if (packet.type === 'PULL_RESP') {
      counters.pullResps++;
      counters.transmitted++;
      const ack = transmitter?.(packet.txpk) ?? { error: 'NONE' };
      send(encodeGwmp({ type: 'TX_ACK', token: packet.token, gatewayEui: options.gatewayEui, txpkAck: ack }));
    }
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));

  const pull = () => send(encodeGwmp({ type: 'PULL_DATA', token: randomInt(0x10000), gatewayEui: options.gatewayEui }));
  pull();
  // Retry quickly until the bridge answers (it may start after us), then settle on the keepalive period.
  const fastRetry = setInterval(pull, 200);
  void ready.then(() => clearInterval(fastRetry));
  const keepalive = setInterval(pull, options.keepaliveMs ?? 10_000);
  keepalive.unref();
  fastRetry.unref();
  const sendStat = () => {
    const stat: Stat = {
      time: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT'),
      ...(options.position ? { lati: options.position.lat, long: options.position.lng, alti: options.position.altitudeM } : {}),
      rxnb: counters.received,
      rxok: counters.received,
      rxfw: counters.forwarded,
      // Share of upstream datagrams (rxpk and stat) the server acknowledged, as the reference forwarder reports it.
      ackr: counters.pushesSent === 0 ? 100 : Math.round((1000 * Math.min(counters.pushAcks, counters.pushesSent)) / counters.pushesSent) / 10,
      dwnb: counters.pullResps,
      txnb: counters.transmitted,
    };
    counters.pushesSent++;
    send(pushData(options.gatewayEui, { stat: options.formatStat ? options.formatStat(stat) : stat }));
  };
  const statInterval = options.statIntervalMs ?? 30_000;
  const statTimer = statInterval > 0 ? setInterval(sendStat, statInterval) : null;
  statTimer?.unref();

  return {
    ready,
    deliver(rxpk: RxpkJson | Rxpk) {
      counters.received++;
      counters.forwarded++;
      counters.pushesSent++;
      const { payload: _payload, bestAntenna: _best, ...json } = rxpk as Partial<Rxpk>;
      send(pushData(options.gatewayEui, { rxpk: [json], ...(options.nullStatWithUplinks ? { stat: null } : {}) }));
    },
    onTransmit(handler) {
      transmitter = handler;
    },
    stats: () => ({ ...counters }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      clearInterval(fastRetry);
      if (statTimer) clearInterval(statTimer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
