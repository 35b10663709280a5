import bs58 from 'bs58';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBridgeApi } from './api';
import { HotspotBridge } from './bridge/bridge';
import { ReportPublisher } from './bridge/publisher';
import { createInProcessLink } from './link/in-process';
import { DurableQueue } from './queue/durable-queue';
import { keypairFromSecret, onboardingMessage, verifyBytes } from '@poc/protocol';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bridge local API', () => {
  const keypair = keypairFromSecret(new Uint8Array(32).fill(21));
  const queue = DurableQueue.open({ dir, logger });
  const publisher = new ReportPublisher({ mqttUrl: 'mqtt://127.0.0.1:1', clientId: 'x', stateTopic: 's', queue, logger });
  const { link } = createInProcessLink();
  const bridge = new HotspotBridge({
    keypair, region: 'US915', antennaGainDdbi: 30, link, sink: publisher, oracleAddress: keypair.address, beaconIntervalSeconds: 60, logger,
  });
  const app = buildBridgeApi({ bridge, publisher, queue, keypair, allowedOrigins: ['http://127.0.0.1:8080'] });
  afterAll(async () => {
    await app.close();
    queue.close();
  });

  it('GET /status reports address, region, queue and MQTT state', async () => {
    const response = await app.inject({ method: 'GET', url: '/status' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ address: keypair.address, region: 'US915', queue: { depth: 0 }, mqtt: { state: 'offline' }, lastBeacon: null });
  });

  it('GET /healthz is alive while /readyz says not ready until the broker is connected', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', mqtt: 'offline', queue_depth: 0 });
  });

  it('GET /metrics exposes Prometheus metrics', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('poc_bridge_queue_depth 0');
    expect(response.body).toContain('poc_bridge_mqtt_online 0');
    expect(response.body).toContain('poc_bridge_witnesses_total 0');
  });

  const pairingCode = async () => (await app.inject({ method: 'POST', url: '/onboarding/pairing-code' })).json().code as string;

  it('POST /onboarding/pairing-code gives a local client without an Origin a one-time code', async () => {
    const response = await app.inject({ method: 'POST', url: '/onboarding/pairing-code' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ code: expect.stringMatching(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/), hotspot: keypair.address });
  });

  it('POST /onboarding/sign signs the possession message with the hotspot key for the holder of the pairing code', async () => {
    const owner = new Uint8Array(32).fill(2);
    const maker = new Uint8Array(32).fill(3);
    const programId = new Uint8Array(32).fill(4);
    const response = await app.inject({
      method: 'POST', url: '/onboarding/sign',
      payload: { owner: bs58.encode(owner), maker: bs58.encode(maker), programId: bs58.encode(programId), hotspot: keypair.address, code: await pairingCode() },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { signature: string; hotspotKey: string; message: string; hotspot: string };
    expect(body.hotspot).toBe(keypair.address);
    expect(bs58.decode(body.hotspotKey)).toEqual(keypair.publicKey);
    const message = onboardingMessage({ programId, hotspotKey: keypair.publicKey, owner, maker });
    expect(Buffer.from(body.message, 'base64')).toEqual(Buffer.from(message));
    expect(verifyBytes(keypair.publicKey, message, bs58.decode(body.signature))).toBe(true);
  });

  it('says wrong_hotspot without naming the real one, and keeps the code for the right hotspot', async () => {
    const key = bs58.encode(new Uint8Array(32).fill(1));
    const code = await pairingCode();
    const other = keypairFromSecret(new Uint8Array(32).fill(22)).address;
    const wrong = await app.inject({ method: 'POST', url: '/onboarding/sign', payload: { owner: key, maker: key, programId: key, hotspot: other, code } });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: 'wrong_hotspot' });
    expect(wrong.body).not.toContain(keypair.address);
    const right = await app.inject({ method: 'POST', url: '/onboarding/sign', payload: { owner: key, maker: key, programId: key, hotspot: keypair.address, code } });
    expect(right.statusCode).toBe(200);
  });

  it('answers CORS only for allowed origins', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS', url: '/onboarding/sign',
      headers: { origin: 'http://127.0.0.1:8080', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8080');
    expect(preflight.headers['access-control-allow-private-network']).toBe('true');
    const key = bs58.encode(new Uint8Array(32).fill(1));
    const foreign = await app.inject({
      method: 'POST', url: '/onboarding/sign', headers: { origin: 'https://evil.example' }, payload: { owner: key, maker: key, programId: key },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ error: 'origin_not_allowed' });
  });

  it('rejects bad requests with a reason', async () => {
    const bad = await app.inject({ method: 'POST', url: '/onboarding/sign', payload: { owner: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    const key = bs58.encode(new Uint8Array(32).fill(1));
    const wrong = await app.inject({
      method: 'POST', url: '/onboarding/sign', payload: { owner: key, maker: '0'.repeat(40), programId: key },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'invalid_key', detail: 'maker is not valid base58' });
    const noCode = await app.inject({ method: 'POST', url: '/onboarding/sign', payload: { owner: key, maker: key, programId: key } });
    expect(noCode.statusCode).toBe(403);
    expect(noCode.json()).toMatchObject({ error: 'invalid_pairing_code' });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('poc_bridge_pairing_refused_total{reason="invalid_pairing_code"}');
  });
});
