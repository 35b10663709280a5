import { Aedes, type AedesOptions } from 'aedes';
import { createServer, type Server } from 'node:net';
import { createBrokerAccessControl, type BrokerAccessControl, type BrokerAccessOptions } from './access-control';

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  /** Present when started with `auth`: refusal counts and recent refusals. */
  access: BrokerAccessControl | null;
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
  const access = options.auth ? createBrokerAccessControl(options.auth) : null;
  const broker = await Aedes.createBroker({ ...options.aedes, ...(access?.hooks ?? {}) });
  const server: Server = createServer(broker.handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `mqtt://${host}:${port}`,
    port,
    broker,
    access,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
