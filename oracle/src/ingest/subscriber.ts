import { reportFilter, sharedSubscription } from '@poc/protocol';
import type { MqttClient } from 'mqtt';
import { HeldAcks, type AckToken } from './held-acks';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OracleMetrics } from '../metrics';
import { decodeAndVerify, type IncomingMessage } from './decode';
import type { IngestWorkerPool } from './worker-pool';
import { writeBatch } from './write-batch';

export interface ReportSubscriberOptions {
  sql: Sql;
  client: MqttClient;
  pool: IngestWorkerPool;
  /** `$share/<group>/…` subscriptions (mosquitto, EMQX) so several oracles split the stream; null for plain ones (aedes). */
  sharedSubscriptionGroup: string | null;
  logger: Logger;
  metrics: OracleMetrics;
  /** Largest batch (one transaction); default 1000. */
  maxBatch?: number;
  /**
   * Reports this oracle holds unacknowledged (buffered, verifying or being written) before it stops reading the
   * broker's socket; default 4 × maxBatch. Bounds the oracle's memory whatever the backlog or the broker's window.
   */
  maxHeld?: number;
}

/** Batches flushed and not yet committed: one being written while the next is decoded and verified. */
const BATCHES_IN_FLIGHT = 2;

/** Subscribes to beacon and witness topics and writes batches: decode → verify on the worker pool → bulk insert. */
export class ReportSubscriber {
  /** Report messages received by this instance. */
  received = 0;
  private buffer: IncomingMessage[] = [];
  private tokens: (AckToken | null)[] = [];
  private acks: HeldAcks | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private batchesInFlight = 0;
  private flushScheduled = false;
  private readonly maxBatch: number;
  private readonly maxHeld: number;

  constructor(private readonly o: ReportSubscriberOptions) {
    this.maxBatch = o.maxBatch ?? 1000;
    this.maxHeld = o.maxHeld ?? 4 * this.maxBatch;
    if (!(this.maxBatch >= 1 && this.maxHeld >= 1)) throw new Error(`ReportSubscriber: maxBatch and maxHeld must be ≥ 1`);
  }

  filters(): string[] {
    const plain = [reportFilter('beacon'), reportFilter('witness')];
    return this.o.sharedSubscriptionGroup ? plain.map((f) => sharedSubscription(this.o.sharedSubscriptionGroup!, f)) : plain;
  }

  /**
   * Listens before the connection is up: with a kept session the broker sends queued reports right after CONNACK,
   * possibly in the same packet burst, and mqtt.js acknowledges them whether or not anyone listens.
   */
  listen(): void {
    // PUBACK only once the batch is committed: a crash leaves the reports with the broker, which redelivers them.
    this.acks = new HeldAcks(this.o.client, { maxHeld: this.maxHeld });
    this.o.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
  }

  async subscribe(): Promise<void> {
    await this.o.client.subscribeAsync(this.filters(), { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer, packet: { qos?: number; messageId?: number }): void {
    if (!topic.startsWith('poc/v1/') || !(topic.endsWith('/beacon') || topic.endsWith('/witness'))) return; // entropy, state
    this.buffer.push({ topic, payload, receivedAt: new Date() });
    this.tokens.push(this.acks?.track(packet) ?? null);
    this.received++;
    this.o.metrics.messagesReceived.inc();
    if (this.buffer.length >= this.maxBatch) void this.flush(); // write() retries and never rejects
    else this.scheduleFlush();
  }

  /**
   * Group commit instead of a timer: while fewer than BATCHES_IN_FLIGHT batches are pending, whatever arrived in
   * this socket read is flushed once mqtt.js has handed it over (setImmediate runs after its packet pump); otherwise
   * messages gather until a batch commits. A batch is thus what arrived during the previous write, up to maxBatch,
   * so a broker's in-flight window of W keeps about W/2 per batch moving — no batch waits for a window that will
   * not open until it is acknowledged.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.batchesInFlight >= BATCHES_IN_FLIGHT || this.buffer.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.batchesInFlight < BATCHES_IN_FLIGHT && this.buffer.length > 0) void this.flush();
    });
  }

  /**
   * Writes whatever is buffered. Decoding and signature checks start at once, so they overlap with the previous
   * batch's database write; the writes themselves happen one batch after another, keeping ingest order.
   */
  flush(): Promise<void> {
    const batch = this.buffer;
    const tokens = this.tokens;
    this.buffer = [];
    this.tokens = [];
    if (batch.length === 0) return this.flushing;
    this.batchesInFlight++;
    const verified = decodeAndVerify(batch, this.o.pool);
    verified.catch(() => {}); // handled in write()
    this.flushing = this.flushing.then(async () => {
      if (await this.write(batch, verified)) this.acks?.release(tokens);
      this.batchesInFlight--;
      this.scheduleFlush();
    });
    return this.flushing;
  }

  /** Reports received and not yet acknowledged (buffered, verifying or being written). */
  get unacknowledged(): number {
    return this.acks?.unreleased ?? 0;
  }

  /** Times reading stopped because maxHeld reports were unacknowledged. */
  get stalls(): number {
    return this.acks?.stalls ?? 0;
  }

  private write(batch: IncomingMessage[], verified: ReturnType<typeof decodeAndVerify>): Promise<boolean> {
    return writeBatch(this.o, batch, verified, () => this.stopping);
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    await this.flush();
  }
}
