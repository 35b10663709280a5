import { connect, type Socket } from 'node:net';

/**
 * A minimal MQTT 3.1.1 QoS 1 publisher for load generation (scripts/load-test.ts, docs/operations.md §6, and the
 * ingest benchmark oracle/bench/ingest-end-to-end.bench.ts): PUBLISH packets are encoded before the clock starts, a
 * send is a packet-id patch and a socket write (several per write with cork), and PUBACKs are counted by packet id. Plain TCP (mqtt://) only, clean session, no keep-alive, no
 * subscribe, no reconnect: a connection that closes reports its unacknowledged publishes and stays closed.
 */

/** A PUBLISH packet ready to write; its packet id is filled in when it is sent. */
export interface EncodedQos1Publish {
  packet: Buffer;
  packetIdOffset: number;
}

/** MQTT's variable-length "remaining length" field (1–4 bytes, 7 bits each). */
export function remainingLength(length: number): Buffer {
  if (length > 268_435_455) throw new Error(`MQTT packet of ${length} bytes is larger than the protocol allows`);
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

const utf8String = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 0xffff) throw new Error('MQTT string longer than 65,535 bytes');
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
};

export function encodeQos1Publish(topic: string, payload: Buffer): EncodedQos1Publish {
  const topicBytes = utf8String(topic);
  const header = Buffer.concat([Buffer.from([0x32]), remainingLength(topicBytes.length + 2 + payload.length)]);
  return { packet: Buffer.concat([header, topicBytes, Buffer.alloc(2), payload]), packetIdOffset: header.length + topicBytes.length };
}

function encodeConnect(clientId: string): Buffer {
  // Protocol name "MQTT", level 4 (3.1.1), flags: clean session, keep-alive 0 (off).
  const body = Buffer.concat([utf8String('MQTT'), Buffer.from([4, 0x02, 0, 0]), utf8String(clientId)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

const CONNACK_REASONS = ['accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];

export interface Qos1PublisherOptions {
  /** mqtt://host:port */
  url: string;
  clientId: string;
  /** Unacknowledged publishes allowed at once (< 65,535, the packet id space). */
  maxInFlight?: number;
  /** Called once per PUBACK with the tag given to publish(). */
  onAcknowledged?: (tag: number) => void;
  /** Called once when the connection ends after CONNACK, with the publishes it leaves unacknowledged. */
  onClosed?: (unacknowledged: number, error: Error | null) => void;
}

export class Qos1Publisher {
  /** PUBACKs received. */
  acknowledged = 0;
  /** PUBACKs for a packet id with nothing outstanding (a broker fault; never counted as acknowledged). */
  unexpectedAcknowledgements = 0;
  closed = false;
  private readonly outstanding = new Map<number, number>();
  private nextPacketId = 1;
  private readonly maxInFlight: number;
  private buffered: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly socket: Socket,
    private readonly options: Qos1PublisherOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 10_000;
    if (!(this.maxInFlight >= 1 && this.maxInFlight < 0xffff)) throw new Error(`maxInFlight must be 1…65,534, got ${this.maxInFlight}`);
  }

  /** Connects and waits for an accepting CONNACK; rejects with the broker's reason otherwise. */
  static connect(options: Qos1PublisherOptions): Promise<Qos1Publisher> {
    const url = new URL(options.url);
    if (url.protocol !== 'mqtt:') throw new Error(`only mqtt:// URLs are supported, got ${options.url}`);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port || 1883), url.hostname);
      socket.setNoDelay(true);
      const publisher = new Qos1Publisher(socket, options);
      let connected = false;
      socket.once('connect', () => socket.write(encodeConnect(options.clientId)));
      socket.on('data', (chunk: Buffer) => {
        try {
          const connack = publisher.read(chunk, !connected);
          if (connack === undefined) return;
          if (connack !== 0) throw new Error(`broker refused the connection: ${CONNACK_REASONS[connack] ?? `return code ${connack}`}`);
          connected = true;
          resolve(publisher);
        } catch (error) {
          socket.destroy(error as Error);
        }
      });
      socket.on('error', (error) => {
        if (connected) publisher.markClosed(error);
        else reject(error);
      });
      socket.once('close', () => {
        if (!connected) reject(new Error(`connection to ${options.url} closed before CONNACK`));
        else publisher.markClosed(null);
      });
    });
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  /** Whether publish() may be called now: open and the window not full. */
  get canSend(): boolean {
    return !this.closed && this.outstanding.size < this.maxInFlight;
  }

  /** Bytes written but not yet taken by the kernel: above a few hundred KB the broker or network is behind. */
  get unwrittenBytes(): number {
    return this.socket.writableLength;
  }

  /** Writes one encoded PUBLISH (patching its packet id; the buffer must not be in another unsent write). */
  publish(publish: EncodedQos1Publish, tag: number): void {
    if (this.closed) throw new Error('publish on a closed connection');
    if (this.outstanding.size >= this.maxInFlight) throw new Error(`publish with ${this.outstanding.size} unacknowledged (the window)`);
    while (this.outstanding.has(this.nextPacketId)) this.advancePacketId();
    const packetId = this.nextPacketId;
    this.advancePacketId();
    this.outstanding.set(packetId, tag);
    publish.packet.writeUInt16BE(packetId, publish.packetIdOffset);
    this.socket.write(publish.packet);
  }

  /** Runs `write` with the socket corked, so the publishes it makes leave in one write. */
  batch(write: () => void): void {
    this.socket.cork();
    try {
      write();
    } finally {
      this.socket.uncork();
    }
  }

  /** Sends DISCONNECT and closes (outstanding publishes stay unacknowledged). */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => this.socket.end(Buffer.from([0xe0, 0x00]), () => resolve()));
    this.socket.destroy();
  }

  private advancePacketId(): void {
    this.nextPacketId = this.nextPacketId === 0xffff ? 1 : this.nextPacketId + 1;
  }

  private markClosed(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClosed?.(this.outstanding.size, error);
  }

  /** Parses whole packets from the stream; returns the CONNACK return code when one is read while expected. */
  private read(chunk: Buffer, expectingConnack: boolean): number | undefined {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    let connack: number | undefined;
    let offset = 0;
    for (;;) {
      if (this.buffered.length - offset < 2) break;
      let length = 0;
      let multiplier = 1;
      let cursor = offset + 1;
      let complete = false;
      for (let i = 0; i < 4 && cursor < this.buffered.length; i++) {
        const byte = this.buffered[cursor++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if (!(byte & 0x80)) {
          complete = true;
          break;
        }
        if (i === 3) throw new Error('malformed remaining length from the broker');
      }
      if (!complete || this.buffered.length - cursor < length) break;
      const type = this.buffered[offset]! >> 4;
      if (type === 2) {
        if (!expectingConnack || length !== 2) throw new Error('unexpected CONNACK from the broker');
        connack = this.buffered[cursor + 1]!;
        expectingConnack = false;
      } else if (type === 4) {
        if (length !== 2) throw new Error('malformed PUBACK from the broker');
        this.acknowledge(this.buffered.readUInt16BE(cursor));
      }
      // Anything else (PINGRESP, or packets this publisher never asked for) is skipped.
      offset = cursor + length;
    }
    this.buffered = this.buffered.subarray(offset);
    return connack;
  }

  private acknowledge(packetId: number): void {
    const tag = this.outstanding.get(packetId);
    if (tag === undefined) {
      this.unexpectedAcknowledgements++;
      return;
    }
    this.outstanding.delete(packetId);
    this.acknowledged++;
    this.options.onAcknowledged?.(tag);
  }
}
