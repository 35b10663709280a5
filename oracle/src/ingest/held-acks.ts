import type { MqttClient } from 'mqtt';

/** Identifies one received QoS 1 message on one connection. */
export interface AckToken {
  messageId: number;
  connection: number;
}

interface AckPacket {
  cmd: string;
  messageId?: number;
  reasonCode?: number;
  properties?: object;
}
type SendPacket = (packet: AckPacket, cb?: (error?: Error) => void, cbStorePut?: () => void) => void;

/**
 * A PUBACK with reason code 0 and no properties is 4 bytes: type, remaining length 2, packet id (MQTT 3.1.1 §3.4;
 * MQTT 5 §3.4.2.1 lets the 0 reason code be left out).
 */
const isPlainPuback = (p: AckPacket) => !p.reasonCode && p.properties === undefined;

/**
 * Holds the PUBACK of received QoS 1 messages until the caller says they are durable (stored in PostgreSQL).
 *
 * mqtt.js acknowledges a message as soon as its 'message' event returns, so a consumer that batches writes
 * loses whatever sits in its buffer when it crashes: the broker already considers it delivered. Holding the
 * PUBACK makes the broker keep the message in the (persistent) session and redeliver it after a crash; the
 * store's ON CONFLICT (hash) absorbs the copies, which gives exactly-once storage.
 *
 * mqtt.js has no public hook for this (handleMessage and customHandleAcks are serial: delaying them stalls
 * the socket, so nothing could be batched); we wrap its internal `_sendPacket`. held-acks.test.ts pins the
 * behaviour, so an mqtt.js upgrade that changes it fails a test instead of silently losing reports.
 * Throughput per consumer is bounded by the broker's in-flight window per client (mosquitto
 * `max_inflight_messages`, EMQX `max_inflight`) divided by the batch latency: raise the window for oracles.
 *
 * Memory is bounded here, not by the broker: at `maxHeld` held PUBACKs the PUBACK's send callback is kept back,
 * which stops mqtt.js's packet pump, so it stops reading the socket until a release makes room. TCP flow control
 * then leaves the backlog with the broker (mosquitto 2.0.11, Debian's, does not enforce `max_inflight_messages`
 * and would otherwise push a whole queue at us). See docs/operations.md §"Ingest flow control".
 *
 * A release writes its plain PUBACKs to the socket as one buffer rather than one mqtt.js send each (three stream
 * writes apiece in mqtt-packet); oracle/README.md §Ingest CPU per report.
 */
export class HeldAcks {
  private connection = 0;
  private readonly tracked = new Set<number>();
  private readonly held = new Map<number, AckPacket>();
  private readonly send: SendPacket;
  private readonly client: MqttClient;
  private readonly maxHeld: number;
  /** mqtt.js's "packet handled" callback, kept while `maxHeld` PUBACKs are held. */
  private resume: (() => void) | null = null;
  /** How often reading stopped because `maxHeld` was reached. */
  stalls = 0;

  constructor(client: MqttClient, options: { maxHeld?: number } = {}) {
    this.maxHeld = options.maxHeld ?? Number.POSITIVE_INFINITY;
    if (!(this.maxHeld >= 1)) throw new Error(`HeldAcks: maxHeld must be ≥ 1, got ${options.maxHeld}`);
    this.client = client;
    const internal = client as unknown as { _sendPacket: SendPacket };
    if (typeof internal._sendPacket !== 'function') throw new Error('mqtt.js internals changed: no _sendPacket to hold PUBACKs');
    this.send = internal._sendPacket.bind(client);
    internal._sendPacket = (packet, cb, cbStorePut) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && this.tracked.has(packet.messageId)) {
        this.held.set(packet.messageId, packet);
        if (this.held.size < this.maxHeld) cb?.(); // mqtt.js may read the next packet now
        else {
          this.stalls++;
          this.resume = cb ?? (() => {});
        }
        return;
      }
      this.send(packet, cb, cbStorePut);
    };
    // Acks cannot be sent on a new connection for an old one's messages; the broker redelivers them instead.
    client.on('close', () => {
      this.connection++;
      this.tracked.clear();
      this.held.clear();
      this.resume = null; // that connection's packet pump is gone; the new one starts unstalled
    });
  }

  /** Call from the 'message' handler for each QoS 1 message the caller will make durable. */
  track(packet: { qos?: number; messageId?: number }): AckToken | null {
    if (packet.qos !== 1 || packet.messageId === undefined) return null;
    this.tracked.add(packet.messageId);
    return { messageId: packet.messageId, connection: this.connection };
  }

  /** The messages are durable: send their PUBACKs (tokens from an earlier connection are ignored). */
  release(tokens: Iterable<AckToken | null | undefined>): void {
    const plain: number[] = [];
    for (const token of tokens) {
      if (!token || token.connection !== this.connection) continue;
      this.tracked.delete(token.messageId);
      const packet = this.held.get(token.messageId);
      if (packet) {
        this.held.delete(token.messageId);
        if (isPlainPuback(packet)) plain.push(token.messageId);
        else this.send(packet);
      }
    }
    if (plain.length > 0) this.writePubacks(plain);
    if (this.resume && this.held.size < this.maxHeld) {
      const resume = this.resume;
      this.resume = null;
      resume();
    }
  }

  /**
   * One socket write for many plain PUBACKs. On a connection that is going away they are dropped: the broker
   * redelivers those messages, and the store absorbs the copies.
   */
  private writePubacks(messageIds: readonly number[]): void {
    const stream = this.client.stream;
    if (!this.client.connected || !stream?.writable) return;
    const packets = Buffer.allocUnsafe(4 * messageIds.length);
    messageIds.forEach((id, i) => {
      packets[4 * i] = 0x40;
      packets[4 * i + 1] = 2;
      packets.writeUInt16BE(id, 4 * i + 2);
    });
    stream.write(packets);
  }

  /** QoS 1 messages tracked and not yet released (the consumer's share of the broker's in-flight window). */
  get unreleased(): number {
    return this.tracked.size;
  }

  /** True while reading is stopped at `maxHeld`. */
  get stalled(): boolean {
    return this.resume !== null;
  }

  /** PUBACKs waiting for durability. */
  get pending(): number {
    return this.held.size;
  }
}
