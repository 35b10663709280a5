import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DurableQueue, QueueEntry } from '../queue/durable-queue';
import { TokenBucket, type PublishRate, type QueuedReportKind } from '@poc/protocol';
import type { SharedMqttConnection } from './shared-connection';

export type MqttState = 'connecting' | 'online' | 'offline' | 'stopped';

export interface ReportPublisherOptions {
  mqttUrl: string;
  /**
   * More nodes of the same broker cluster: each reconnect tries the next URL in [mqttUrl, ...these], so a hotspot
   * whose node died goes on with a surviving one (its session queue is replicated; see docs/operations.md
   * "Clustered broker").
   */
  failoverUrls?: string[];
  /** Fixed per hotspot so the broker keeps the session (subscriptions, queued QoS 1) across reconnects. */
  clientId: string;
  /** Retained online/offline topic; "offline" is also the Last Will. */
  stateTopic: string;
  queue: DurableQueue;
  logger: Logger;
  /** Topics to subscribe (QoS 1) and who handles their messages. */
  subscriptions?: { topic: string; onMessage: (payload: Buffer, topic: string) => void }[];
  maxInflight?: number;
  /** A publish without PUBACK for this long while connected is sent again (counted as a duplicate). */
  inflightTimeoutMs?: number;
  reconnectPeriodMs?: number;
  username?: string;
  password?: string;
  /** Fresh credentials for every (re)connect, e.g. a self-signed hotspot token (wire/mqtt-auth.ts); wins over username/password. */
  credentials?: () => { username: string; password: string };
  /**
   * 4 = MQTT 3.1.1 (default: works with mosquitto and the embedded aedes, which refuses MQTT 5; clean=false
   * keeps the session), 5 = MQTT 5 with a session expiry interval.
   */
  protocolVersion?: 4 | 5;
  /** Publish over this shared connection instead of opening one (in-process load tests). */
  shared?: SharedMqttConnection;
  /**
   * At most this many report publishes (burst, then per second), so draining a backlog stays under the broker's
   * per-client rate limit instead of being disconnected by it. Absent: as fast as the in-flight window allows.
   */
  pace?: PublishRate;
}

export interface PublisherStats {
  state: MqttState;
  published: number;
  acknowledged: number;
  republished: number;
  inflight: number;
  connects: number;
  lastConnectedAt: number | null;
}

const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/** mqtt.js `servers`: host, port and protocol of each URL, taken in turn on every (re)connect. */
function brokerServers(urls: string[]): { host: string; port: number; protocol: 'mqtt' | 'mqtts' }[] {
  return urls.map((text) => {
    const url = new URL(text);
    const protocol = url.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
    return { host: url.hostname, port: Number(url.port) || (protocol === 'mqtts' ? 8883 : 1883), protocol };
  });
}

/**
 * Delivers queued reports over MQTT at QoS 1. A report is already durable in the queue when it gets here;
 * it leaves the queue only on PUBACK, so broker outages and restarts lose nothing (at-least-once).
 */
export class ReportPublisher {
  private client: MqttClient | null = null;
  private readonly inflight = new Map<number, number>();
  private state: MqttState = 'offline';
  private readonly counters = { published: 0, acknowledged: 0, republished: 0, connects: 0 };
  private lastConnectedAt: number | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private detachShared: (() => void) | null = null;
  private readonly maxInflight: number;
  private readonly drainLater = () => this.drain();
  private readonly inflightTimeoutMs: number;
  private readonly pace: TokenBucket | null;
  private paceTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ReportPublisherOptions) {
    this.maxInflight = options.maxInflight ?? 64;
    this.inflightTimeoutMs = options.inflightTimeoutMs ?? 30_000;
    this.pace = options.pace ? new TokenBucket(options.pace, Date.now()) : null;
  }

  start(): void {
    const { options } = this;
    this.state = 'connecting';
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(1000, this.inflightTimeoutMs / 4));
    this.sweepTimer.unref();
    if (options.shared) {
      this.attachShared(options.shared);
      return;
    }
    const client = mqtt.connect(options.mqttUrl, {
      ...(options.failoverUrls?.length ? { servers: brokerServers([options.mqttUrl, ...options.failoverUrls]) } : {}),
      clientId: options.clientId,
      clean: false,
      ...(options.protocolVersion === 5
        ? { protocolVersion: 5 as const, properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } }
        : { protocolVersion: 4 as const }),
      keepalive: 30,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(options.credentials ? options.credentials() : {}),
      will: { topic: options.stateTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', (connack) => {
      this.state = 'online';
      this.counters.connects++;
      this.lastConnectedAt = Date.now();
      options.logger.info({ sessionPresent: connack.sessionPresent, queued: options.queue.depth }, 'MQTT connected');
      client.publish(options.stateTopic, 'online', { qos: 1, retain: true });
      for (const sub of options.subscriptions ?? []) {
        client.subscribe(sub.topic, { qos: 1 }, (error) => {
          if (error) options.logger.error({ err: error, topic: sub.topic }, 'MQTT subscribe failed');
        });
      }
      this.drain();
    });
    client.on('message', (topic, payload) => {
      for (const sub of options.subscriptions ?? []) if (sub.topic === topic) sub.onMessage(payload, topic);
    });
    client.on('close', () => {
      if (this.state === 'online') options.logger.warn({ queued: options.queue.depth }, 'MQTT connection lost; reports stay queued on disk');
      if (this.state !== 'stopped') this.state = 'offline';
    });
    client.on('reconnect', () => {
      if (this.state !== 'stopped') this.state = 'connecting';
      // Tokens expire; mqtt.js sends client.options in every CONNECT, so renew them before each attempt.
      if (options.credentials) Object.assign(client.options, options.credentials());
    });
    client.on('error', (error) => options.logger.warn({ err: error.message }, 'MQTT error'));
  }

  private attachShared(shared: SharedMqttConnection): void {
    const { options } = this;
    const client = shared.client;
    this.client = client;
    const onConnect = () => {
      this.state = 'online';
      this.counters.connects++;
      this.lastConnectedAt = Date.now();
      client.publish(options.stateTopic, 'online', { qos: 1, retain: true });
      this.drain();
    };
    const onClose = () => {
      if (this.state !== 'stopped') this.state = 'offline';
    };
    client.on('connect', onConnect);
    client.on('close', onClose);
    const unsubscribes = (options.subscriptions ?? []).map((sub) => shared.subscribe(sub.topic, sub.onMessage));
    this.detachShared = () => {
      client.off('connect', onConnect);
      client.off('close', onClose);
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
    if (client.connected) onConnect();
  }

  /** Durably queues a report and starts delivering it. Resolves once it is on disk. */
  async submit(kind: QueuedReportKind, topic: string, payload: Buffer): Promise<QueueEntry> {
    const entry = await this.options.queue.append(kind, topic, payload);
    this.drain();
    return entry;
  }

  /** Sends queued reports while the window of unacknowledged publishes has room. */
  private drain(): void {
    const client = this.client;
    if (!client || !client.connected || this.state !== 'online') return;
    if (this.inflight.size >= this.maxInflight) return;
    const shared = this.options.shared;
    for (const entry of this.options.queue.pending()) {
      if (this.inflight.size >= this.maxInflight) break;
      if (this.inflight.has(entry.seq)) continue;
      const waitMs = this.pace?.msUntilToken(Date.now()) ?? 0;
      if (waitMs > 0) {
        this.paceTimer ??= setTimeout(() => {
          this.paceTimer = null;
          this.drain();
        }, waitMs);
        break;
      }
      if (shared && !shared.acquire()) {
        shared.whenFree(this.drainLater);
        break;
      }
      this.pace?.take(Date.now());
      this.publish(client, entry);
    }
  }

  private publish(client: MqttClient, entry: QueueEntry): void {
    this.inflight.set(entry.seq, Date.now());
    this.counters.published++;
    client.publish(entry.topic, entry.payload, { qos: 1 }, (error, packet) => {
      this.options.shared?.release();
      const reasonCode = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
      if (error || reasonCode >= 0x80) {
        // Left in flight; the sweep sends it again after the timeout.
        this.options.logger.warn({ seq: entry.seq, err: error?.message, reasonCode }, 'publish not acknowledged');
        return;
      }
      this.inflight.delete(entry.seq);
      if (this.options.queue.has(entry.seq)) {
        this.options.queue.ack(entry.seq);
        this.counters.acknowledged++;
      }
      this.drain();
    });
  }

  /** Publishes whose PUBACK is overdue while connected are released for another send. */
  private sweep(): void {
    if (this.state !== 'online') return;
    const now = Date.now();
    const connectedFor = this.lastConnectedAt ? now - this.lastConnectedAt : 0;
    if (connectedFor < this.inflightTimeoutMs) return;
    let released = 0;
    for (const [seq, at] of this.inflight) {
      if (now - at >= this.inflightTimeoutMs || !this.options.queue.has(seq)) {
        this.inflight.delete(seq);
        if (this.options.queue.has(seq)) released++;
      }
    }
    if (released > 0) {
      this.counters.republished += released;
      this.options.logger.warn({ released }, 'republishing reports without PUBACK');
      this.drain();
    }
  }

  mqttState(): MqttState {
    return this.state;
  }

  stats(): PublisherStats {
    return { state: this.state, ...this.counters, inflight: this.inflight.size, lastConnectedAt: this.lastConnectedAt };
  }

  /** Announces "offline" (retained) and disconnects. In-flight reports stay queued for next time. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.paceTimer) clearTimeout(this.paceTimer);
    const client = this.client;
    this.client = null;
    const wasOnline = this.state === 'online';
    this.state = 'stopped';
    if (!client) return;
    if (this.detachShared) {
      this.detachShared();
      if (wasOnline && client.connected) client.publish(this.options.stateTopic, 'offline', { qos: 1, retain: true });
      return;
    }
    if (wasOnline && client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.publish(this.options.stateTopic, 'offline', { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await client.endAsync(true);
  }

  /** Drops the connection without a goodbye (tests the Last Will). */
  async kill(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.state = 'stopped';
    const client = this.client;
    this.client = null;
    client?.stream.destroy();
    await client?.endAsync(true);
  }
}
