import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HotspotBridge } from './bridge/bridge';
import type { ReportPublisher } from './bridge/publisher';
import type { DurableQueue } from './queue/durable-queue';
import { decodeSolanaKey, onboardingMessage, signBytes, type HotspotKeypair } from '@poc/protocol';
import bs58 from 'bs58';
import { Counter, Gauge, Registry } from 'prom-client';
import { PairingCodes, type PairingOptions } from './pairing';
import { MAPPER_REGISTRATION_MAX_BYTES, MapperRegisterError, postMapperRegistration } from './mapper-register';

export interface BridgeApiOptions {
  bridge: HotspotBridge;
  publisher: ReportPublisher;
  queue: DurableQueue;
  keypair: HotspotKeypair;
  port: number;
  /** Loopback only by default: the API signs with the hotspot key. */
  host?: string;
  /** GWMP link counters and the forwarder's latest stat, when the bridge serves UDP. */
  forwarderStats?: () => unknown;
  /**
   * Browser origins allowed to call the API (CORS): the onboarding web app, whose page asks this API for the
   * possession signature. Empty by default. CORS only keeps other web pages out; the pairing code is what limits
   * the signature to the person at the hotspot.
   */
  allowedOrigins?: string[];
  /** Lifetime, attempt limit and clock of the pairing codes. */
  pairing?: PairingOptions;
  /** Mapper API base URL that `POST /mappers/register` forwards owner-signed mapper registrations to. */
  mapperApiUrl?: string;
}

const key = z.string().min(32).max(44);
const signRequest = z
  .object({ owner: key, maker: key, programId: key, code: z.string().max(32).optional(), hotspot: z.string().max(60).optional() })
  .strict();

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const NO_VALID_CODE =
  'no valid pairing code: run "poc-bridge pair" on the hotspot and type the code it prints; a code works once, for 10 minutes, and a few wrong tries void it';

/** Prometheus metrics read from the live bridge on each scrape; one registry per bridge. */
function bridgeMetrics(options: Omit<BridgeApiOptions, 'port' | 'host'>): Registry {
  const registry = new Registry();
  const counters = options.bridge.counters;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  const total = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });
  gauge('poc_bridge_queue_depth', 'Reports on disk waiting for PUBACK', () => options.queue.depth);
  gauge('poc_bridge_queue_bytes', 'Bytes of queued reports', () => options.queue.stats().bytes);
  gauge('poc_bridge_mqtt_online', '1 while connected to the broker', () => (options.publisher.mqttState() === 'online' ? 1 : 0));
  gauge('poc_bridge_forwarder_connected', '1 while a packet forwarder is reachable', () => (options.bridge.status().forwarderConnected ? 1 : 0));
  total('poc_bridge_beacons_sent_total', 'Beacons transmitted and reported', () => counters.beaconsSent);
  total('poc_bridge_beacons_skipped_total', 'Beacon slots skipped (no entropy, no forwarder, refused)', () => counters.beaconsSkipped);
  total('poc_bridge_beacons_over_duty_cycle_total', "Beacon slots withheld because the beacon would exceed the region's duty cycle", () => counters.beaconsOverDutyCycle);
  total('poc_bridge_beacons_over_dwell_time_total', "Beacon slots withheld because the beacon's time on air exceeds the region's dwell time", () => counters.beaconsOverDwellTime);
  gauge('poc_bridge_duty_cycle_airtime_ms', 'Beacon airtime spent in the last hour (the duty-cycle window), ms', () => options.bridge.airtimeUsedMs());
  total('poc_bridge_witnesses_total', 'Witness reports signed', () => counters.witnessesReported);
  total('poc_bridge_duplicate_beacons_total', 'Beacons heard again and ignored', () => counters.duplicatesIgnored);
  total('poc_bridge_reports_acknowledged_total', 'Reports acknowledged by the broker', () => options.publisher.stats().acknowledged);
  total('poc_bridge_reports_dropped_total', 'Reports dropped because the queue was full', () => {
    const dropped = options.queue.stats().dropped;
    return dropped.beacon + dropped.witness;
  });
  return registry;
}

export function buildBridgeApi(options: Omit<BridgeApiOptions, 'port' | 'host'>): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  const allowed = new Set(options.allowedOrigins ?? []);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin) return;
    if (!allowed.has(origin)) {
      return reply.code(403).send({ error: 'origin_not_allowed', detail: `origin ${origin} is not in the bridge's allowed origins` });
    }
    reply.header('access-control-allow-origin', origin).header('vary', 'origin');
    if (request.method === 'OPTIONS') {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        // Chrome's Private Network Access: a page from a public origin may call this loopback/LAN API only if it says so.
        .header('access-control-allow-private-network', 'true')
        .send();
    }
  });
  app.options('/*', async (_request, reply) => reply.code(204).send());
  const registry = bridgeMetrics(options);
  const pairing = new PairingCodes(options.pairing);
  const pairingRefused = new Counter({
    name: 'poc_bridge_pairing_refused_total',
    help: 'Possession-signature and pairing-code requests refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  // Alive as long as the API answers; ready when reports can flow: broker connected and the queue not full.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const mqtt = options.publisher.stats().state;
    const queue = options.queue.stats();
    const ready = mqtt === 'online';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', mqtt, queue_depth: queue.depth });
  });
  app.get('/status', async () => ({
    ...options.bridge.status(),
    queue: options.queue.stats(),
    mqtt: options.publisher.stats(),
    ...(options.forwarderStats ? { forwarder: options.forwarderStats() } : {}),
  }));
  // Only someone at the hotspot gets a code: a client on the device itself (poc-bridge pair) that is not a web page
  // (browsers send an Origin on every POST, also after a DNS rebinding), never a LAN peer.
  app.post('/onboarding/pairing-code', async (request, reply) => {
    if (request.headers.origin !== undefined || !LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      pairingRefused.inc({ reason: 'pairing_local_only' });
      return reply.code(403).send({ error: 'pairing_local_only', detail: 'pairing codes are only given to "poc-bridge pair" on the hotspot itself, never to a web page or another machine' });
    }
    const issued = pairing.issue();
    return { code: issued.code, expiresAt: issued.expiresAt.toISOString(), hotspot: options.keypair.address };
  });
  // The owner signs a mapper registration on his own machine (`poc-bridge mapper-register` there, or his wallet); the
  // hotspot only relays it, so its owner's key never has to be on the hotspot. Local callers only: no open relay.
  app.post('/mappers/register', { bodyLimit: MAPPER_REGISTRATION_MAX_BYTES }, async (request, reply) => {
    if (request.headers.origin !== undefined || !LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      return reply.code(403).send({ error: 'local_only', detail: 'mapper registrations are relayed only for a client on the hotspot itself' });
    }
    if (!options.mapperApiUrl) return reply.code(503).send({ error: 'no_mapper_api', detail: 'this bridge has no mapper API URL (poc-bridge run --mapper-url / POC_MAPPER_URL)' });
    try {
      const answer = await postMapperRegistration(options.mapperApiUrl, request.body);
      return await reply.code(answer.status).send(answer.body);
    } catch (error) {
      if (error instanceof MapperRegisterError) return reply.code(502).send({ error: 'mapper_api_unreachable', detail: error.message });
      throw error;
    }
  });
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
    // Nothing about this hotspot is said before the code is proven.
    if (!pairing.check(parsed.data.code)) {
      pairingRefused.inc({ reason: 'invalid_pairing_code' });
      return reply.code(403).send({ error: 'invalid_pairing_code', detail: NO_VALID_CODE });
    }
    const typed = parsed.data.hotspot?.trim();
    if (typed && typed !== options.keypair.address && typed !== bs58.encode(options.keypair.publicKey)) {
      pairingRefused.inc({ reason: 'wrong_hotspot' });
      return reply.code(409).send({ error: 'wrong_hotspot', detail: `this bridge does not hold hotspot ${typed}: check the key you entered against the hotspot's label (the pairing code stays valid)` });
    }
    pairing.consume();
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
