import { Aedes, type AedesOptions } from 'aedes';
import { createServer, type Server } from 'node:net';

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  stop(): Promise<void>;
}

/**
 * An in-process aedes MQTT broker on 127.0.0.1. It keeps persistent sessions and queued QoS 1
 * messages for offline clients while it runs; it has no shared subscriptions (use mosquitto for those).
 */
export async function startEmbeddedBroker(options: { port?: number; host?: string; aedes?: AedesOptions } = {}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker(options.aedes);
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
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
