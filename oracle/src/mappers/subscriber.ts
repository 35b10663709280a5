import { MAPPER_RECEIPT_FILTER, sharedSubscription, type KeySealKeypair } from '@poc/protocol';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Sql } from 'postgres';
import type { IncomingMessage } from '../ingest/decode';
import { HeldAcks, type AckToken } from '../ingest/held-acks';
import { processMapperLogs } from './logs';
import { processMapperFrames } from './process';
import { storeMapperReceipts } from './receipts';

/**
 * The oracle's mapper receipt consumer: subscribes to every hotspot's `…/mapper` topic at QoS 1, stores receipts in
 * small batches and sends each PUBACK only once its batch is committed (a crash leaves them with the broker), and
 * judges frames whose group window has passed every `processEveryMs`.
 */
export class MapperReceiptSubscriber {
  private buffer: IncomingMessage[] = [];
  private tokens: (AckToken | null)[] = [];
  private acks: HeldAcks | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private processTimer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly receipts: Counter<'outcome'>;
  private readonly frames: Counter<'status' | 'reason'>;

  constructor(
    private readonly o: {
      sql: Sql;
      client: MqttClient;
      keySeal: KeySealKeypair;
      logger: Logger;
      sharedSubscriptionGroup: string | null;
      groupWindowMs?: number;
      /** Grace period for late receipts before a logged, unheard frame is no signal (default 10 min). */
      logGraceMs?: number;
      processEveryMs?: number;
      flushMs?: number;
      metricsRegistry: Registry;
    },
  ) {
    const registers = [o.metricsRegistry];
    this.receipts = new Counter({ name: 'oracle_mapper_receipts_total', help: 'Mapper receipts received: stored, or the reason they were refused at ingest', labelNames: ['outcome'], registers });
    this.frames = new Counter({ name: 'oracle_mapper_frames_total', help: 'Mapper frames judged, by status and reason (none when plausible)', labelNames: ['status', 'reason'], registers });
  }

  listen(): void {
    this.acks = new HeldAcks(this.o.client);
    this.o.client.on('message', (topic, payload, packet) => {
      if (!topic.endsWith('/mapper') || !topic.startsWith('poc/v1/')) return;
      this.buffer.push({ topic, payload, receivedAt: new Date() });
      this.tokens.push(this.acks?.track(packet) ?? null);
      if (this.buffer.length >= 500) void this.flush();
      else this.flushTimer ??= setTimeout(() => void this.flush(), this.o.flushMs ?? 25);
    });
    this.processTimer = setInterval(() => void this.process(), this.o.processEveryMs ?? 2000);
  }

  async subscribe(): Promise<void> {
    const filter = this.o.sharedSubscriptionGroup ? sharedSubscription(this.o.sharedSubscriptionGroup, MAPPER_RECEIPT_FILTER) : MAPPER_RECEIPT_FILTER;
    await this.o.client.subscribeAsync(filter, { qos: 1 });
  }

  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.buffer;
    const tokens = this.tokens;
    this.buffer = [];
    this.tokens = [];
    if (batch.length === 0) return this.chain;
    this.chain = this.chain.then(async () => {
      try {
        const { stored, rejected } = await storeMapperReceipts(this.o.sql, batch);
        this.acks?.release(tokens);
        this.receipts.inc({ outcome: 'stored' }, stored);
        for (const r of rejected) this.receipts.inc({ outcome: r.reason });
      } catch (error) {
        // PUBACKs stay held: the broker redelivers the batch after a reconnect; stored receipts are idempotent by hash.
        this.o.logger.error({ err: error, size: batch.length }, 'storing mapper receipts failed; left with the broker');
      }
    });
    return this.chain;
  }

  /** Judges due frames (also callable from tests and the oracle's loop). */
  process(now?: Date): Promise<void> {
    if (this.stopped) return this.chain;
    this.chain = this.chain.then(async () => {
      try {
        const verdicts = await processMapperFrames(this.o.sql, { keySeal: this.o.keySeal, now, groupWindowMs: this.o.groupWindowMs });
        for (const v of verdicts) {
          this.frames.inc({ status: v.status, reason: v.reason ?? 'none' });
          if (v.status !== 'plausible') this.o.logger.info({ frameId: v.frameId, status: v.status, reason: v.reason }, 'mapper frame not counted');
        }
        const logs = await processMapperLogs(this.o.sql, { keySeal: this.o.keySeal, now, graceMs: this.o.logGraceMs });
        if (logs.invalid > 0) this.o.logger.warn({ invalid: logs.invalid }, 'logged mapper frames whose MIC does not verify');
      } catch (error) {
        this.o.logger.error({ err: error }, 'judging mapper frames failed; retried on the next round');
      }
    });
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.processTimer) clearInterval(this.processTimer);
    await this.flush();
  }
}
