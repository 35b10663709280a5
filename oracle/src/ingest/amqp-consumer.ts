import { routingKeyToMqttTopic } from '@poc/broker';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OracleMetrics } from '../metrics';
import { decodeAndVerify, type IncomingMessage } from './decode';
import { writeBatch } from './write-batch';
import type { IngestWorkerPool } from './worker-pool';

/**
 * The report stream from a RabbitMQ cluster (docs/operations.md "Clustered broker"): hotspots publish over MQTT to any
 * node, RabbitMQ routes `poc.v1.*.hotspot.*.{beacon,witness}` from amq.topic into one replicated quorum queue, and
 * every oracle process consumes it as a competing consumer over AMQP 0-9-1. A delivery is acknowledged only after
 * the batch holding it is committed to PostgreSQL, so a killed oracle or broker node loses nothing: the queue
 * redelivers, and the store absorbs the copy as a duplicate. `prefetch` is the flow control: the broker sends no
 * more than that many unacknowledged deliveries, so the oracle's memory does not depend on the backlog.
 */
export interface AmqpConsumerSettings {
  /** One URL per broker node, with the oracle's service account; tried in turn on every (re)connect. */
  urls: string[];
  /** Quorum queue name (RabbitMQ auth lets the oracle declare queues under `poc.`). */
  queue: string;
  /** Unacknowledged deliveries at most (AMQP basic.qos); also bounds the oracle's in-flight memory. */
  prefetch: number;
}

export interface AmqpReportConsumerOptions extends AmqpConsumerSettings {
  sql: Sql;
  pool: IngestWorkerPool;
  logger: Logger;
  metrics: OracleMetrics;
  /** Batch size that triggers a write at once (default half the prefetch, so one batch verifies while one is stored). */
  maxBatch?: number;
  /** A partial batch waits at most this long (ms). */
  flushMs?: number;
}

/** The routing keys (AMQP form of the report topics) bound to the queue. */
export const REPORT_BINDING_KEYS = ['poc.v1.*.hotspot.*.beacon', 'poc.v1.*.hotspot.*.witness'] as const;

interface Held {
  message: IncomingMessage;
  channel: Channel;
  deliveryTag: number;
}

export class AmqpReportConsumer {
  /** Deliveries received (redeliveries included). */
  received = 0;
  /** Deliveries acknowledged after their batch was committed. */
  acknowledged = 0;
  /** Deliveries held now (buffered or being stored) and the most ever held at once. */
  inflight = 0;
  maxInflight = 0;
  connects = 0;
  private connection: ChannelModel | null = null;
  private channel: Channel | null = null;
  private buffer: Held[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private stopping = false;
  private nextUrl = 0;
  private reconnecting: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly flushMs: number;

  constructor(private readonly o: AmqpReportConsumerOptions) {
    if (o.urls.length === 0) throw new Error('AMQP consumer: at least one broker URL');
    if (!Number.isInteger(o.prefetch) || o.prefetch < 1 || o.prefetch > 65_535) throw new Error(`AMQP consumer: prefetch must be 1…65535, got ${o.prefetch}`);
    this.maxBatch = Math.max(1, Math.min(o.maxBatch ?? Math.ceil(o.prefetch / 2), o.prefetch));
    this.flushMs = o.flushMs ?? 25;
  }

  /** Connects to the first reachable node, declares the queue and its bindings, and starts consuming. */
  async start(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.connectOnce();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const url = this.o.urls[this.nextUrl++ % this.o.urls.length]!;
    const connection = await amqp.connect(url, { timeout: 5000 });
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(this.o.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      for (const key of REPORT_BINDING_KEYS) await channel.bindQueue(this.o.queue, 'amq.topic', key);
      await channel.prefetch(this.o.prefetch);
      connection.on('error', (error: Error) => this.o.logger.warn({ err: error.message }, 'AMQP connection error'));
      connection.on('close', () => this.onClose(connection));
      channel.on('error', (error: Error) => this.o.logger.warn({ err: error.message }, 'AMQP channel error'));
      channel.on('close', () => void connection.close().catch(() => {}));
      this.connection = connection;
      this.channel = channel;
      this.connects++;
      await channel.consume(this.o.queue, (delivery) => delivery && this.onDelivery(channel, delivery), { noAck: false });
      this.o.logger.info({ url: url.replace(/\/\/[^@]*@/, '//'), queue: this.o.queue, prefetch: this.o.prefetch }, 'consuming reports over AMQP');
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  /** A lost node: deliveries not yet acknowledged go back to the queue; reconnect to the next node. */
  private onClose(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.channel = null;
    if (this.stopping) return;
    this.o.logger.warn('AMQP connection closed; reconnecting to the next broker node');
    this.reconnecting ??= (async () => {
      while (!this.stopping) {
        try {
          await this.connectOnce();
          break;
        } catch (error) {
          this.o.logger.warn({ err: (error as Error).message }, 'AMQP reconnect failed; trying the next node');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      this.reconnecting = null;
    })();
  }

  private onDelivery(channel: Channel, delivery: ConsumeMessage): void {
    this.received++;
    this.inflight++;
    if (this.inflight > this.maxInflight) this.maxInflight = this.inflight;
    this.o.metrics.messagesReceived.inc();
    const topic = routingKeyToMqttTopic(delivery.fields.routingKey);
    this.buffer.push({ message: { topic, payload: delivery.content, receivedAt: new Date() }, channel, deliveryTag: delivery.fields.deliveryTag });
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Verifies the buffered deliveries now (overlapping the previous write) and stores them after it, in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.writing;
    const messages = batch.map((h) => h.message);
    const verified = decodeAndVerify(messages, this.o.pool);
    verified.catch(() => {}); // retried in write()
    this.writing = this.writing.then(async () => {
      const durable = await this.write(messages, verified);
      this.inflight -= batch.length;
      if (durable) this.acknowledge(batch);
    });
    return this.writing;
  }

  /** One multiple-ack per channel for the batch's last delivery: batches are stored and acknowledged in delivery order. */
  private acknowledge(batch: Held[]): void {
    const lastByChannel = new Map<Channel, Held>();
    for (const held of batch) lastByChannel.set(held.channel, held);
    for (const [channel, last] of lastByChannel) {
      // A delivery on a closed channel is back in the queue already; its copy will be stored as a duplicate.
      if (channel !== this.channel) continue;
      try {
        channel.ack({ fields: { deliveryTag: last.deliveryTag } } as ConsumeMessage, true);
        this.acknowledged += batch.filter((h) => h.channel === channel).length;
      } catch (error) {
        this.o.logger.warn({ err: (error as Error).message }, 'AMQP ack failed; the broker redelivers the batch');
      }
    }
  }

  private write(messages: IncomingMessage[], verified: ReturnType<typeof decodeAndVerify>): Promise<boolean> {
    return writeBatch(this.o, messages, verified, () => this.stopping);
  }

  stats(): { received: number; acknowledged: number; inflight: number; maxInflight: number; connects: number; connected: boolean } {
    return { received: this.received, acknowledged: this.acknowledged, inflight: this.inflight, maxInflight: this.maxInflight, connects: this.connects, connected: this.channel !== null };
  }

  /** Stores and acknowledges what it holds, then closes the connection. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopping = true;
    const connection = this.connection;
    this.connection = null;
    this.channel = null;
    await connection?.close().catch(() => {});
  }
}
