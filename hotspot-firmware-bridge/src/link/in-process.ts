import { decodeRxpk, type Rxpk, type Txpk, type TxpkAck } from '../gwmp/codec';
import type { PacketForwarderLink, TransmitResult, VirtualForwarder } from './types';

/**
 * A bridge link and its virtual forwarder joined by plain function calls: same contract as the UDP
 * pair, without sockets, so thousands of bridges fit in one process.
 */
export function createInProcessLink(): { link: PacketForwarderLink; forwarder: VirtualForwarder } {
  let uplink: ((rxpk: Rxpk) => void) | null = null;
  let transmitter: ((txpk: Txpk) => TxpkAck | undefined) | null = null;
  let closed = false;
  const link: PacketForwarderLink = {
    onUplink(handler) {
      uplink = handler;
    },
    async transmit(txpk): Promise<TransmitResult> {
      if (closed) return { ok: false, reason: 'link closed' };
      if (!transmitter) return { ok: false, reason: 'no packet forwarder connected' };
      const ack = transmitter(txpk);
      return ack ? { ok: true, ack } : { ok: true };
    },
    isConnected: () => !closed && transmitter !== null,
    async close() {
      closed = true;
    },
  };
  const forwarder: VirtualForwarder = {
    deliver(rxpk) {
      if (closed || !uplink) return;
      // Wire JSON is decoded as the UDP server would (an rxpk the codec refuses is dropped there too).
      const decoded = 'payload' in rxpk && rxpk.payload instanceof Uint8Array ? { ok: true as const, rxpk: rxpk as Rxpk } : decodeRxpk(rxpk);
      if (decoded.ok) queueMicrotask(() => uplink?.(decoded.rxpk));
    },
    onTransmit(handler) {
      transmitter = handler;
    },
    async close() {
      transmitter = null;
    },
  };
  return { link, forwarder };
}
