import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export interface BrokerRejection {
  reason: string;
  clientId: string;
  /** Username, hotspot address, or the peer address before CONNECT; never a password or token. */
  who: string | null;
  topic: string | null;
  detail: string;
}

export interface RefusalLog {
  record(rejection: BrokerRejection): void;
  /** Refusals so far, by reason. */
  counts(): Record<string, number>;
  /** The most recent refusals (at most 1000). */
  recent(): readonly BrokerRejection[];
}

/**
 * Where every broker refusal goes: `mqtt_broker_rejections_total{reason}`, a tally, the last 1000, and one `warn`
 * line per client and reason — a client that keeps hammering is counted, not logged again (the set of clients
 * already logged is bounded; past it the oldest are forgotten and may be logged once more).
 */
export function createRefusalLog(options: { registry?: Registry; logger?: Logger; maxLoggedClients?: number } = {}): RefusalLog {
  const tally = new Map<string, number>();
  const recentRejections: BrokerRejection[] = [];
  const logged = new Set<string>();
  const maxLogged = options.maxLoggedClients ?? 10_000;
  const counter = options.registry
    ? new Counter({ name: 'mqtt_broker_rejections_total', help: 'MQTT connects, packets, publishes and subscribes refused by the broker, by reason', labelNames: ['reason'], registers: [options.registry] })
    : null;
  return {
    record(r) {
      tally.set(r.reason, (tally.get(r.reason) ?? 0) + 1);
      counter?.inc({ reason: r.reason });
      recentRejections.push(r);
      if (recentRejections.length > 1000) recentRejections.shift();
      const key = `${r.clientId || r.who || ''}\u0000${r.reason}`;
      if (logged.has(key)) return;
      logged.add(key);
      if (logged.size > maxLogged) logged.delete(logged.values().next().value!);
      options.logger?.warn(
        { reason: r.reason, clientId: r.clientId.slice(0, 200), who: r.who?.slice(0, 200), topic: r.topic?.slice(0, 300), detail: r.detail },
        'MQTT access refused (further refusals of this client for this reason are counted, not logged)',
      );
    },
    counts: () => Object.fromEntries(tally),
    recent: () => recentRejections,
  };
}
