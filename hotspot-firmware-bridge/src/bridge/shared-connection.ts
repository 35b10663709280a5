import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

type MessageHandler = (payload: Buffer, topic: string) => void;

/**
 * One MQTT connection carrying many simulated bridges (in-process load tests): 10 000 TCP sessions with their own
 * keepalives would measure the broker and the event loop, not the bridge. Each bridge keeps its own durable queue,
 * in-flight window, topics and retained state; only the socket (and the Last Will) is shared.
 */
export class SharedMqttConnection {
  readonly client: MqttClient;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  /** Last message per subscribed topic, so a bridge attached later still sees the retained value (the current entropy). */
  private readonly latest = new Map<string, Buffer>();

  /** QoS 1 publishes awaiting PUBACK over this connection, across all bridges. MQTT packet ids are 16-bit, so this must stay well below 65 535. */
  private inflight = 0;
  private readonly maxInflight: number;
  private readonly waiting = new Set<() => void>();

  constructor(options: {
    mqttUrl: string;
    clientId: string;
    logger: Logger;
    protocolVersion?: 4 | 5;
    maxInflight?: number;
    /** A service account on brokers that authenticate (the pool is not one hotspot, so it cannot use a hotspot token). */
    username?: string;
    password?: string;
  }) {
    this.maxInflight = options.maxInflight ?? 2000;
    this.client = mqtt.connect(options.mqttUrl, {
      clientId: options.clientId,
      clean: false,
      protocolVersion: options.protocolVersion ?? 4,
      keepalive: 60,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(options.username ? { username: options.username, password: options.password ?? '' } : {}),
    });
    this.client.setMaxListeners(0);
    this.client.on('message', (topic, payload) => {
      const handlers = this.handlers.get(topic);
      if (!handlers) return;
      this.latest.set(topic, payload);
      for (const handler of handlers) handler(payload, topic);
    });
    this.client.on('connect', () => {
      for (const topic of this.handlers.keys()) this.client.subscribe(topic, { qos: 1 });
    });
    this.client.on('error', (error) => options.logger.warn({ err: error.message }, 'shared MQTT connection error'));
  }

  /** Routes messages on `topic` to `handler`; the broker subscription is made once per topic. */
  subscribe(topic: string, handler: MessageHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      if (this.client.connected) this.client.subscribe(topic, { qos: 1 });
    }
    set.add(handler);
    // A late subscriber still needs the retained message (e.g. the current entropy) the first one already got.
    const latest = this.latest.get(topic);
    if (latest) queueMicrotask(() => handler(latest, topic));
    return () => set.delete(handler);
  }

  /** Takes one slot of the connection's in-flight window; false when full (then `whenFree` the caller). */
  acquire(): boolean {
    if (this.inflight >= this.maxInflight) return false;
    this.inflight++;
    return true;
  }

  /** Returns a slot and wakes one bridge waiting for one. */
  release(): void {
    this.inflight = Math.max(0, this.inflight - 1);
    const next = this.waiting.values().next().value;
    if (next) {
      this.waiting.delete(next);
      next();
    }
  }

  whenFree(callback: () => void): void {
    this.waiting.add(callback);
  }

  /** Lets queued publishes (the bridges' retained "offline") go out, but never waits more than 2 s for a dead broker. */
  async end(): Promise<void> {
    const timer = setTimeout(() => this.client.end(true), 2000);
    await this.client.endAsync();
    clearTimeout(timer);
  }
}
