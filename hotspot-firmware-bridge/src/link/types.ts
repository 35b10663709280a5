import type { Rxpk, RxpkJson, Txpk, TxpkAck } from '../gwmp/codec';

/** Outcome of one transmit request: the forwarder's TX_ACK, or why none came. */
export type TransmitResult =
  | { ok: true; ack?: TxpkAck }
  | { ok: false; reason: string };

/**
 * What the bridge core needs from a packet forwarder, whatever carries it:
 * real GWMP over UDP (production, small simulated fleets) or direct calls (large simulations).
 */
export interface PacketForwarderLink {
  /** Receives every accepted uplink packet. One handler; set by the bridge core. */
  onUplink(handler: (rxpk: Rxpk) => void): void;
  /** Asks the forwarder to send `txpk` and waits for its TX_ACK (or a timeout). */
  transmit(txpk: Txpk): Promise<TransmitResult>;
  /** True once a forwarder has said hello (PULL_DATA) recently enough to reach it. */
  isConnected(): boolean;
  close(): Promise<void>;
}

/** The forwarder side of a link, as the simulator drives it. */
export interface VirtualForwarder {
  /**
   * Hands a received radio packet to the bridge, as a concentrator would: either an rxpk exactly as a forwarder dialect
   * writes it (e.g. `jver: 2` with only `rsig`), which goes through the codec, or an already decoded Rxpk.
   */
  deliver(rxpk: RxpkJson | Rxpk): void;
  /** Called when the bridge asks the concentrator to transmit; the return value becomes the TX_ACK. */
  onTransmit(handler: (txpk: Txpk) => TxpkAck | undefined): void;
  close(): Promise<void>;
}
