import { Aedes, type AedesOptions } from 'aedes';
import { createServer, type Server } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { createBrokerAccessControl, type BrokerAccessControl, type BrokerAccessOptions } from './access-control';
import { listenOn } from './listen';

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  /** Present when started with `auth`: refusal counts and recent refusals. */
  access: BrokerAccessControl | null;
  /** `mqtt_broker_clients`, `mqtt_broker_publishes_total`, and the refusal counter when `auth` is given. */
  metrics: Registry;
  /** Listening and not closed: what a /readyz for the broker reports. */
  ready(): boolean;
  stop(): Promise<void>;
}

/**
 * An in-process aedes MQTT broker on 127.0.0.1. It keeps persistent sessions and queued QoS 1
 * messages for offline clients while it runs; it has no shared subscriptions (use mosquitto for those).
 * With `auth`, hotspots log in with self-signed tokens and may only publish on their own topics (access-control.ts).
 */
export async function startEmbeddedBroker(
  options: { port?: number; host?: string; aedes?: AedesOptions; auth?: BrokerAccessOptions } = {},
): Promise<EmbeddedBroker> {
  const metrics = new Registry();
  const access = options.auth ? createBrokerAccessControl({ metricsRegistry: metrics, ...options.auth }) : null;
  const broker = await Aedes.createBroker({ ...options.aedes, ...(access?.hooks ?? {}) });
  new Gauge({ name: 'mqtt_broker_clients', help: 'Connected MQTT clients', registers: [metrics], collect() { this.set(broker.connectedClients); } });
  const publishes = new Counter({ name: 'mqtt_broker_publishes_total', help: 'Messages routed by the broker (client publishes and Last Wills; not $SYS)', registers: [metrics] });
  broker.on('publish', (packet, client) => {
    if (client) publishes.inc();
  });
  const server: Server = createServer(broker.handle);
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
