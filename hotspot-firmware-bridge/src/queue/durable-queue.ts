import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, existsSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import type { QueuedReportKind } from '@poc/protocol';

/**
 * Write-ahead report queue on disk. One append-only journal of records:
 *   PUT(seq, kind, topic, payload)   a report accepted for delivery
 *   DONE(seq, why)                   acknowledged by the broker (PUBACK) or dropped by the full-queue policy
 * Every record is framed as u32 length ‖ u32 crc32 ‖ body, so a write torn by a crash is detected and cut off.
 * Appends are batched and made durable with one fdatasync per batch; `append` resolves only after that.
 * When the dead part of the journal dominates, the live records are rewritten to a new file and renamed over it.
 *
 * Full-queue policy (bytes or count over the limit): drop the oldest queued witness or mapper receipt; if none is
 * queued, drop the oldest beacon. A beacon is never dropped while a witness or receipt could make room (a beacon is
 * worth a whole PoC, a witness one share), and every drop is counted and logged.
 */
export interface QueueEntry {
  seq: number;
  kind: QueuedReportKind;
  topic: string;
  payload: Buffer;
}

export interface DurableQueueOptions {
  dir: string;
  logger: Logger;
  maxBytes?: number;
  maxEntries?: number;
  /** Appends within this window share one fsync. */
  flushDelayMs?: number;
  /** Compact when the journal is larger than this and mostly dead. */
  compactMinBytes?: number;
  /** Keep the journal open between flushes (default). False closes it after each flush: thousands of simulated bridges share one fd limit. */
  keepFileOpen?: boolean;
  /**
   * 'fsync' (default): an append resolves once fdatasync returned, so it survives power loss.
   * 'os-buffered': written to the OS but not synced; survives a process kill (SIGKILL), not a power cut.
   * For simulations that run thousands of bridges on one disk, where a sync per bridge per batch would stall the process.
   */
  durability?: 'fsync' | 'os-buffered';
}

export interface DurableQueueStats {
  depth: number;
  bytes: number;
  appended: number;
  acknowledged: number;
  dropped: { beacon: number; witness: number; mapper: number };
  journalBytes: number;
  compactions: number;
  recoveredTornBytes: number;
}

const TYPE_PUT = 1;
const TYPE_DONE = 2;
const DONE_ACKED = 0;
const DONE_DROPPED = 1;
const FRAME_HEADER = 8;
const KIND_CODE: Record<QueuedReportKind, number> = { beacon: 0, witness: 1, mapper: 2 };
const KIND_NAME: QueuedReportKind[] = ['beacon', 'witness', 'mapper'];

function frame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, FRAME_HEADER);
  return out;
}

function putRecord(entry: QueueEntry): Buffer {
  const topic = Buffer.from(entry.topic);
  const body = Buffer.allocUnsafe(1 + 8 + 1 + 2 + topic.length + entry.payload.length);
  let o = body.writeUInt8(TYPE_PUT, 0);
  o = body.writeDoubleLE(entry.seq, o);
  o = body.writeUInt8(KIND_CODE[entry.kind], o);
  o = body.writeUInt16LE(topic.length, o);
  o += topic.copy(body, o);
  entry.payload.copy(body, o);
  return frame(body);
}

function doneRecord(seq: number, why: number): Buffer {
  const body = Buffer.allocUnsafe(1 + 8 + 1);
  body.writeUInt8(TYPE_DONE, 0);
  body.writeDoubleLE(seq, 1);
  body.writeUInt8(why, 9);
  return frame(body);
}

/** Size an entry counts for against maxBytes. */
const entryBytes = (e: QueueEntry) => e.payload.length + e.topic.length + 32;

export class DurableQueue {
  private readonly path: string;
  private readonly live = new Map<number, QueueEntry>();
  private nextSeq = 1;
  private liveBytes = 0;
  private journalBytes = 0;
  private fd: number | null = null;
  private buffered: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly counters = { appended: 0, acknowledged: 0, dropped: { beacon: 0, witness: 0, mapper: 0 }, compactions: 0, recoveredTornBytes: 0 };
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly flushDelayMs: number;
  private readonly compactMinBytes: number;

  private constructor(private readonly options: DurableQueueOptions) {
    this.path = join(options.dir, 'reports.journal');
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.flushDelayMs = options.flushDelayMs ?? 5;
    this.compactMinBytes = options.compactMinBytes ?? 1024 * 1024;
  }

  /** Opens (creating if needed) the queue in `dir` and replays its journal. */
  static open(options: DurableQueueOptions): DurableQueue {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const queue = new DurableQueue(options);
    queue.replay();
    return queue;
  }

  private replay(): void {
    if (!existsSync(this.path)) return;
    const data = readFileSync(this.path);
    let offset = 0;
    while (offset + FRAME_HEADER <= data.length) {
      const length = data.readUInt32LE(offset);
      const end = offset + FRAME_HEADER + length;
      if (length < 10 || end > data.length) break;
      const body = data.subarray(offset + FRAME_HEADER, end);
      if (crc32(body) !== data.readUInt32LE(offset + 4)) break;
      const type = body.readUInt8(0);
      const seq = body.readDoubleLE(1);
      if (type === TYPE_PUT) {
        const kind = KIND_NAME[body.readUInt8(9)];
        const topicLength = body.readUInt16LE(10);
        if (!kind || 12 + topicLength > body.length) break;
        const entry: QueueEntry = {
          seq,
          kind,
          topic: body.subarray(12, 12 + topicLength).toString(),
          payload: Buffer.from(body.subarray(12 + topicLength)),
        };
        this.live.set(seq, entry);
        this.liveBytes += entryBytes(entry);
      } else if (type === TYPE_DONE) {
        const entry = this.live.get(seq);
        if (entry) {
          this.live.delete(seq);
          this.liveBytes -= entryBytes(entry);
        }
      } else break;
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      offset = end;
    }
    if (offset < data.length) {
      // A torn tail from a crash mid-write: everything before it is intact and fsynced batches are whole.
      this.counters.recoveredTornBytes = data.length - offset;
      this.options.logger.warn({ path: this.path, tornBytes: data.length - offset }, 'cut a torn record off the report journal');
      const fd = openSync(this.path, 'r+');
      ftruncateSync(fd, offset);
      fsyncSync(fd);
      closeSync(fd);
    }
    this.journalBytes = offset;
    if (this.live.size > 0) this.options.logger.info({ depth: this.live.size }, 'report queue recovered from disk');
  }

  /** Durably appends a report; resolves once it is on disk. The entry is then in `pending()` until acked. */
  async append(kind: QueuedReportKind, topic: string, payload: Buffer): Promise<QueueEntry> {
    if (this.closed) throw new Error('report queue is closed');
    const entry: QueueEntry = { seq: this.nextSeq++, kind, topic, payload };
    this.makeRoom(entry);
    this.live.set(entry.seq, entry);
    this.liveBytes += entryBytes(entry);
    this.counters.appended++;
    this.write(putRecord(entry));
    await this.flushSoon();
    return entry;
  }

  /** Marks a report delivered (PUBACK). Idempotent. Not fsynced on its own: a lost ack only means a duplicate. */
  ack(seq: number): void {
    this.finish(seq, DONE_ACKED);
  }

  has(seq: number): boolean {
    return this.live.has(seq);
  }

  /** Un-acknowledged reports, oldest first. */
  pending(): IterableIterator<QueueEntry> {
    return this.live.values();
  }

  get depth(): number {
    return this.live.size;
  }

  stats(): DurableQueueStats {
    return {
      depth: this.live.size,
      bytes: this.liveBytes,
      appended: this.counters.appended,
      acknowledged: this.counters.acknowledged,
      dropped: { ...this.counters.dropped },
      journalBytes: this.journalBytes + this.buffered.reduce((n, b) => n + b.length, 0),
      compactions: this.counters.compactions,
      recoveredTornBytes: this.counters.recoveredTornBytes,
    };
  }

  private finish(seq: number, why: number): boolean {
    const entry = this.live.get(seq);
    if (!entry) return false;
    this.live.delete(seq);
    this.liveBytes -= entryBytes(entry);
    if (why === DONE_ACKED) this.counters.acknowledged++;
    this.write(doneRecord(seq, why));
    void this.flushSoon();
    return true;
  }

  private makeRoom(incoming: QueueEntry): void {
    const needBytes = entryBytes(incoming);
    while (this.live.size > 0 && (this.live.size + 1 > this.maxEntries || this.liveBytes + needBytes > this.maxBytes)) {
      let victim: QueueEntry | undefined;
      for (const entry of this.live.values()) {
        if (entry.kind !== 'beacon') {
          victim = entry;
          break;
        }
      }
      victim ??= this.live.values().next().value;
      if (!victim) break;
      this.finish(victim.seq, DONE_DROPPED);
      this.counters.dropped[victim.kind]++;
      this.options.logger.warn(
        { seq: victim.seq, kind: victim.kind, topic: victim.topic, dropped: this.counters.dropped },
        'report queue full: dropped the oldest %s',
        victim.kind,
      );
    }
  }

  private write(record: Buffer): void {
    this.buffered.push(record);
  }

  private flushSoon(): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flushNow(), this.flushDelayMs);
    }
    return done;
  }

  /** Writes and fsyncs everything buffered; then resolves every waiting append. */
  flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const waiters = this.waiters;
    this.waiters = [];
    if (this.buffered.length > 0) {
      const chunk = Buffer.concat(this.buffered);
      this.buffered = [];
      const fd = this.openFd();
      let written = 0;
      while (written < chunk.length) written += writeSync(fd, chunk, written);
      if (this.options.durability !== 'os-buffered') fdatasyncSync(fd);
      this.journalBytes += chunk.length;
      this.maybeCompact();
      if (this.options.keepFileOpen === false && this.fd !== null) {
        closeSync(this.fd);
        this.fd = null;
      }
    }
    for (const resolve of waiters) resolve();
  }

  private openFd(): number {
    this.fd ??= openSync(this.path, 'a', 0o600);
    return this.fd;
  }

  private maybeCompact(): void {
    if (this.journalBytes < this.compactMinBytes || this.journalBytes < 4 * (this.liveBytes + 1024)) return;
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    let size = 0;
    for (const entry of this.live.values()) {
      const record = putRecord(entry);
      let written = 0;
      while (written < record.length) written += writeSync(fd, record, written);
      size += record.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    renameSync(tmp, this.path);
    const dirFd = openSync(this.options.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    this.journalBytes = size;
    this.counters.compactions++;
  }

  /** Flushes and releases the file. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.flushNow();
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
