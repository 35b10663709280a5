import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HotspotBridge } from './bridge/bridge';
import type { ReportPublisher } from './bridge/publisher';
import type { DurableQueue } from './queue/durable-queue';
import { decodeSolanaKey, onboardingMessage, signBytes, type HotspotKeypair } from './wire';
import bs58 from 'bs58';

export interface BridgeApiOptions {
  bridge: HotspotBridge;
  publisher: ReportPublisher;
  queue: DurableQueue;
  keypair: HotspotKeypair;
  port: number;
  /** Loopback only by default: the API signs with the hotspot key. */
  host?: string;
}

const signRequest = z.object({ owner: z.string().min(32).max(44), maker: z.string().min(32).max(44), programId: z.string().min(32).max(44) }).strict();

export function buildBridgeApi(options: Omit<BridgeApiOptions, 'port' | 'host'>): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  app.get('/status', async () => ({
    ...options.bridge.status(),
    queue: options.queue.stats(),
    mqtt: options.publisher.stats(),
  }));
  app.post('/onboarding/sign', async (request, reply) => {
    const parsed = signRequest.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', detail: z.prettifyError(parsed.error) });
    let keys: { owner: Uint8Array; maker: Uint8Array; programId: Uint8Array };
    try {
      keys = {
        owner: decodeSolanaKey('owner', parsed.data.owner),
        maker: decodeSolanaKey('maker', parsed.data.maker),
        programId: decodeSolanaKey('programId', parsed.data.programId),
      };
    } catch (error) {
      return reply.code(400).send({ error: 'invalid_key', detail: (error as Error).message });
    }
    const message = onboardingMessage({ ...keys, hotspotKey: options.keypair.publicKey });
    const signature = signBytes(options.keypair.privateKeyObject, message);
    return {
      hotspot: options.keypair.address,
      hotspotKey: bs58.encode(options.keypair.publicKey),
      message: Buffer.from(message).toString('base64'),
      signature: bs58.encode(signature),
      signatureBase64: Buffer.from(signature).toString('base64'),
    };
  });
  return app;
}

export async function startBridgeApi(options: BridgeApiOptions): Promise<{ app: FastifyInstance; port: number; url: string }> {
  const app = buildBridgeApi(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { app, port, url: `http://${host}:${port}` };
}
