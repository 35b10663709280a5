import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { decodeGwmp, encodeGwmp, type Rxpk, type Stat, type Txpk } from '../gwmp/codec';
import type { PacketForwarderLink, TransmitResult } from './types';

export interface GwmpUdpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** How long to wait for the TX_ACK of a PULL_RESP. */
  txAckTimeoutMs?: number;
  /** A forwarder that has not sent PULL_DATA for this long is considered gone (ChirpStack uses 1 min). */
  forwarderTimeoutMs?: number;
}

export interface GwmpUdpServer extends PacketForwarderLink {
  /** Bound UDP port (useful with port 0). */
  readonly port: number;
  stats(): {
    datagrams: number;
    rejectedDatagrams: number;
    rejectedRxpk: number;
    uplinks: number;
    gatewayEui: string | null;
    /** The forwarder's latest `stat` report (GPS position, packet counters) and when it came. */
    lastStat: { receivedAt: string; stat: Stat } | null;
  };
}

/**
 * The bridge end of the Semtech UDP protocol: the packet forwarder sends PUSH_DATA/PULL_DATA here,
 * we acknowledge them, and downlinks go back as PULL_RESP to the address of the latest PULL_DATA.
 */
export async function startGwmpUdpServer(options: GwmpUdpServerOptions): Promise<GwmpUdpServer> {
  const { logger } = options;
  const txAckTimeoutMs = options.txAckTimeoutMs ?? 3000;
  const forwarderTimeoutMs = options.forwarderTimeoutMs ?? 60_000;
  // A roomy receive buffer: a forwarder flushing a backlog sends bursts, and UDP drops what does not fit.
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  let uplink: ((rxpk: Rxpk) => void) | null = null;
  let pullAddress: { address: string; port: number; at: number } | null = null;
  let gatewayEui: string | null = null;
  let lastStat: { receivedAt: string; stat: Stat } | null = null;
  const pendingAcks = new Map<number, (result: TransmitResult) => void>();
  const counters = { datagrams: 0, rejectedDatagrams: 0, rejectedRxpk: 0, uplinks: 0 };

  let closed = false;
  const send = (bytes: Buffer, to: { address: string; port: number }) =>
    new Promise<void>((resolve) => (closed ? resolve() : socket.send(bytes, to.port, to.address, () => resolve())));

  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    counters.datagrams++;
    const decoded = decodeGwmp(datagram);
    if (!decoded.ok) {
      counters.rejectedDatagrams++;
      logger.warn({ from: `${from.address}:${from.port}`, reason: decoded.reason }, 'rejected GWMP datagram');
      return;
    }
    const packet = decoded.packet;
    switch (packet.type) {
      case 'PUSH_DATA':
        gatewayEui = packet.gatewayEui;
        void send(encodeGwmp({ type: 'PUSH_ACK', token: packet.token }), from);
        if (packet.stat) lastStat = { receivedAt: new Date().toISOString(), stat: packet.stat };
        for (const rejection of packet.rejected) {
          counters.rejectedRxpk++;
          logger.warn({ gatewayEui, index: rejection.index, reason: rejection.reason }, 'rejected packet from forwarder');
        }
        for (const rxpk of packet.rxpk) {
          counters.uplinks++;
          uplink?.(rxpk);
        }
        return;
      case 'PULL_DATA':
        gatewayEui = packet.gatewayEui;
        pullAddress = { address: from.address, port: from.port, at: Date.now() };
        void send(encodeGwmp({ type: 'PULL_ACK', token: packet.token }), from);
        return;
      case 'TX_ACK': {
        const resolve = pendingAcks.get(packet.token);
        if (!resolve) {
          logger.debug({ token: packet.token }, 'TX_ACK for an unknown token');
          return;
        }
        pendingAcks.delete(packet.token);
        resolve({ ok: true, ...(packet.txpkAck ? { ack: packet.txpkAck } : {}) });
        return;
      }
      default:
        counters.rejectedDatagrams++;
        logger.warn({ type: packet.type }, 'unexpected GWMP packet type from forwarder');
    }
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host ?? '127.0.0.1', () => {
      socket.off('error', reject);
      socket.on('error', (error) => logger.error({ err: error }, 'UDP socket error'));
      resolve();
    });
  });
  const port = socket.address().port;

  const isConnected = () => pullAddress !== null && Date.now() - pullAddress.at < forwarderTimeoutMs;

  return {
    port,
    onUplink(handler) {
      uplink = handler;
    },
    isConnected,
    async transmit(txpk: Txpk): Promise<TransmitResult> {
      if (!pullAddress || !isConnected()) return { ok: false, reason: 'no packet forwarder connected (no recent PULL_DATA)' };
      let token = randomInt(0x10000);
      while (pendingAcks.has(token)) token = (token + 1) & 0xffff;
      const result = new Promise<TransmitResult>((resolve) => {
        const timer = setTimeout(() => {
          pendingAcks.delete(token);
          // GWMP v1 forwarders never send TX_ACK; the downlink was still handed over.
          resolve({ ok: true });
        }, txAckTimeoutMs);
        pendingAcks.set(token, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
      await send(encodeGwmp({ type: 'PULL_RESP', token, txpk }), pullAddress);
      return result;
    },
    stats: () => ({ ...counters, gatewayEui, lastStat }),
    async close() {
      if (closed) return;
      closed = true;
      for (const resolve of pendingAcks.values()) resolve({ ok: false, reason: 'link closed' });
      pendingAcks.clear();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
