import { reportFilter, sharedSubscription } from '@poc/hotspot-firmware-bridge/wire';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OracleMetrics } from '../metrics';
import { decodeAndVerify, type IncomingMessage } from './decode';
import type { IngestWorkerPool } from './worker-pool';
import { storeBatch } from './store';

export interface ReportSubscriberOptions {
  sql: Sql;
  client: MqttClient;
  pool: IngestWorkerPool;
  /** `$share/<group>/…` subscriptions (mosquitto, EMQX) so several oracles split the stream; null for plain ones (aedes). */
  sharedSubscriptionGroup: string | null;
  logger: Logger;
  metrics: OracleMetrics;
  maxBatch?: number;
  flushMs?: number;
}

/** Subscribes to beacon and witness topics and writes batches: decode → verify on the worker pool → bulk insert. */
export class ReportSubscriber {
  /** Report messages received by this instance. */
  received = 0;
  private buffer: IncomingMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly maxBatch: number;
  private readonly flushMs: number;

  constructor(private readonly o: ReportSubscriberOptions) {
    this.maxBatch = o.maxBatch ?? 1000;
    this.flushMs = o.flushMs ?? 25;
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
    this.o.client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  async subscribe(): Promise<void> {
    await this.o.client.subscribeAsync(this.filters(), { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (!topic.startsWith('poc/v1/') || !(topic.endsWith('/beacon') || topic.endsWith('/witness'))) return; // entropy, state
    this.buffer.push({ topic, payload, receivedAt: new Date() });
    this.received++;
    this.o.metrics.messagesReceived.inc();
    if (this.buffer.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /**
   * Writes whatever is buffered. Decoding and signature checks start at once, so they overlap with the previous
   * batch's database write; the writes themselves happen one batch after another, keeping ingest order.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    const verified = decodeAndVerify(batch, this.o.pool);
    verified.catch(() => {}); // handled in write()
    this.flushing = this.flushing.then(() => this.write(batch, verified));
    return this.flushing;
  }

  private async write(batch: IncomingMessage[], verified: ReturnType<typeof decodeAndVerify>): Promise<void> {
    const end = this.o.metrics.ingestBatchSeconds.startTimer();
    for (let attempt = 1; ; attempt++) {
      try {
        const { accepted, rejected } = await verified.catch(() => decodeAndVerify(batch, this.o.pool));
        const { stored, duplicates } = await storeBatch(this.o.sql, accepted, rejected);
        this.o.metrics.reportsStored.inc(stored);
        for (const r of rejected) this.o.metrics.messagesRejected.inc({ reason: r.reason });
        if (duplicates) this.o.metrics.messagesRejected.inc({ reason: 'duplicate' }, duplicates);
        end();
        return;
      } catch (error) {
        // PostgreSQL unavailable: keep the batch and retry rather than lose reports.
        this.o.logger.error({ err: error, attempt, size: batch.length }, 'storing report batch failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
        if (this.stopping) {
          this.o.logger.fatal({ size: batch.length }, 'stopping with an unstored report batch (the broker redelivers unacknowledged QoS 1 only with a kept session)');
          return;
        }
      }
    }
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    await this.flush();
  }
}
