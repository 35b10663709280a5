import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface PacketSizeLimits {
  /** Largest packet (fixed header included) before the broker has accepted the login: the CONNECT and anything pipelined behind it. */
  maxConnectBytes: number;
  /** Largest packet once logged in. */
  maxPacketBytes: number;
}

export interface PacketRefusal {
  reason: 'packet_too_large' | 'malformed_packet';
  detail: string;
}

/**
 * Follows MQTT packet boundaries in a byte stream without keeping any of it: reads each fixed header (type byte
 * and the 1–4 byte remaining length), judges the announced size, and skips the body. A packet that announces too
 * much is refused at its header, before a single body byte would be buffered by the broker's parser.
 */
export class MqttFrameMeter {
  private stage: 'type' | 'length' | 'body' = 'type';
  private headerBytes = 0;
  private remaining = 0;
  private multiplier = 1;
  private bodyLeft = 0;

  constructor(public limit: number) {}

  /** Judges the next bytes of the stream; a refusal is final. */
  feed(chunk: Uint8Array): PacketRefusal | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.stage === 'body') {
        const step = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= step;
        i += step;
        if (this.bodyLeft === 0) this.stage = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.stage === 'type') {
        this.stage = 'length';
        this.headerBytes = 1;
        this.remaining = 0;
        this.multiplier = 1;
        continue;
      }
      this.headerBytes++;
      this.remaining += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        if (this.headerBytes === 5) return { reason: 'malformed_packet', detail: 'remaining length longer than 4 bytes' };
        continue;
      }
      const size = this.headerBytes + this.remaining;
      if (size > this.limit) return { reason: 'packet_too_large', detail: `packet announces ${size} bytes, limit ${this.limit}` };
      this.bodyLeft = this.remaining;
      this.stage = this.remaining > 0 ? 'body' : 'type';
    }
    return null;
  }
}

/**
 * The socket as the broker sees it, with every incoming packet's size checked at its fixed header (MqttFrameMeter).
 * Until `admit()` (the broker accepted the login) the small CONNECT limit applies, so an unauthenticated peer can
 * make the broker hold at most one small packet. An oversized packet destroys the socket and is reported once.
 */
export class GuardedConnection extends Duplex {
  private readonly meter: MqttFrameMeter;
  private refused = false;

  constructor(
    private readonly socket: Socket,
    private readonly limits: PacketSizeLimits,
    onRefuse: (refusal: PacketRefusal) => void,
  ) {
    super({ allowHalfOpen: false });
    this.meter = new MqttFrameMeter(limits.maxConnectBytes);
    socket.on('data', (chunk: Buffer) => {
      if (this.refused) return;
      const refusal = this.meter.feed(chunk);
      if (refusal) {
        this.refused = true;
        onRefuse(refusal);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The login was accepted: packets up to `maxPacketBytes` from now on. */
  admit(): void {
    this.meter.limit = this.limits.maxPacketBytes;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) this.socket.write(chunks[i]!.chunk);
    this.socket.write(chunks[chunks.length - 1]!.chunk, callback);
    this.socket.uncork();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
