import { Aedes, type AedesOptions, type Client } from 'aedes';
import { createServer, type Server } from 'node:net';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { createBrokerAccessControl, type BrokerAccessControl, type BrokerAccessOptions } from './access-control';
import { listenOn } from './listen';
import { GuardedConnection, type PacketSizeLimits } from './packet-size-guard';
import { createRefusalLog } from './refusals';

/** Before login: a CONNECT holds a client id, a username, a ≤ 1 KiB token and a small Last Will. */
export const MAX_CONNECT_PACKET_BYTES = 8 * 1024;
/** Once logged in, with `auth`: above the largest payload a topic allows (publish-policy.ts) plus topic and headers. */
export const MAX_PACKET_BYTES = 16 * 1024;
/** Without `auth` (tests, a dev broker) nothing checks payloads, so only a memory backstop above what tests send. */
export const MAX_PACKET_BYTES_WITHOUT_AUTH = 1024 * 1024;

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  /** Present when started with `auth`: refusal counts and recent refusals. */
  access: BrokerAccessControl | null;
  /** `mqtt_broker_clients`, `mqtt_broker_publishes_total`, `mqtt_broker_rejections_total{reason}`. */
  metrics: Registry;
  /** Listening and not closed: what a /readyz for the broker reports. */
  ready(): boolean;
  stop(): Promise<void>;
}

/**
 * An in-process aedes MQTT broker on 127.0.0.1. It keeps persistent sessions and queued QoS 1
 * messages for offline clients while it runs; it has no shared subscriptions (use mosquitto for those).
 * Every packet's size is checked at its fixed header (packet-size-guard.ts), tighter before login.
 * With `auth`, hotspots log in with single-use self-signed tokens, may only publish on their own topics, within
 * payload, retain and rate limits (access-control.ts).
 */
export async function startEmbeddedBroker(
  options: { port?: number; host?: string; aedes?: AedesOptions; auth?: BrokerAccessOptions; limits?: Partial<PacketSizeLimits>; logger?: Logger } = {},
): Promise<EmbeddedBroker> {
  const metrics = new Registry();
  const registry = options.auth?.metricsRegistry ?? metrics;
  const logger = options.logger ?? options.auth?.logger;
  const refusals = createRefusalLog({ registry, ...(logger ? { logger } : {}) });
  const access = options.auth ? createBrokerAccessControl({ metricsRegistry: registry, ...options.auth, refusals }) : null;
  const limits: PacketSizeLimits = {
    maxConnectBytes: MAX_CONNECT_PACKET_BYTES,
    maxPacketBytes: options.auth ? MAX_PACKET_BYTES : MAX_PACKET_BYTES_WITHOUT_AUTH,
    ...options.limits,
  };
  const broker = await Aedes.createBroker({ ...options.aedes, ...(access?.hooks ?? {}) });
  broker.on('client', (client) => {
    if (client.conn instanceof GuardedConnection) client.conn.admit();
  });
  new Gauge({ name: 'mqtt_broker_clients', help: 'Connected MQTT clients', registers: [metrics], collect() { this.set(broker.connectedClients); } });
  const publishes = new Counter({ name: 'mqtt_broker_publishes_total', help: 'Messages routed by the broker (client publishes and Last Wills; not $SYS)', registers: [metrics] });
  broker.on('publish', (packet, client) => {
    if (client) publishes.inc();
  });
  const server: Server = createServer((socket) => {
    let client: Client | undefined;
    const conn = new GuardedConnection(socket, limits, (refusal) =>
      refusals.record({ ...refusal, clientId: client?.id ?? '', who: socket.remoteAddress ?? null, topic: null }),
    );
    client = broker.handle(conn);
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server, host, options.port);
  return {
    url: `mqtt://${host}:${port}`,
    port,
    broker,
    access,
    metrics,
    ready: () => server.listening && !broker.closed,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
