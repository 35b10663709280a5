import { ENTROPY_TOPIC, generateHotspotKeypair, reportTopic, stateTopic } from '@poc/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttToken, hotspotMqttCredentials } from '@poc/protocol';
import { sha256Hex } from './access-control';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';

const alice = generateHotspotKeypair();
const bob = generateHotspotKeypair();
const stranger = generateHotspotKeypair();
const registry = new Registry();
let broker: EmbeddedBroker;
let oracle: MqttClient;
const seen: string[] = [];
const clients: MqttClient[] = [];

const connect = async (options: IClientOptions): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options });
  clients.push(client);
  return client;
};
const refusal = (options: IClientOptions) =>
  mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options }).then(
    (client) => {
      clients.push(client);
      return 'connected';
    },
    (error: Error) => error.message,
  );
const asHotspot = (keys = alice, region: 'EU868' | 'US915' = 'EU868') => {
  const creds = hotspotMqttCredentials(keys, region);
  return connect({ clientId: creds.clientId, username: creds.username, password: creds.password });
};
const closed = (client: MqttClient) => new Promise<void>((resolve) => (client.disconnected || !client.connected ? resolve() : client.once('close', () => resolve())));
/** Publishes a marker from a legitimate hotspot and waits for it, so everything published before it has been routed. */
async function barrier(): Promise<void> {
  const bobClient = await asHotspot(bob);
  const marker = `marker-${seen.length}-${Math.random()}`;
  const arrived = new Promise<void>((resolve) => oracle.on('message', (_t, p) => p.toString() === marker && resolve()));
  await bobClient.publishAsync(reportTopic('EU868', bob.address, 'witness'), marker, { qos: 1 });
  await arrived;
  await bobClient.endAsync();
}

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    auth: {
      services: [
        { username: 'oracle', passwordSha256: sha256Hex('oracle-secret'), role: 'oracle' },
        { username: 'mapper', passwordSha256: sha256Hex('mapper-secret'), role: 'reader' },
        { username: 'fleet', passwordSha256: sha256Hex('fleet-secret'), role: 'relay' },
      ],
      resolveHotspot: async (address) => (address === stranger.address ? null : { region: 'EU868' }),
      metricsRegistry: registry,
    },
  });
  oracle = await connect({ clientId: 'oracle-1', username: 'oracle', password: 'oracle-secret' });
  await oracle.subscribeAsync(['poc/v1/+/hotspot/+/beacon', 'poc/v1/+/hotspot/+/witness', 'poc/v1/+/hotspot/+/state'], { qos: 1 });
  oracle.on('message', (topic) => seen.push(topic));
});

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await broker?.stop();
});

describe('embedded broker access control (real aedes, real mqtt.js clients)', () => {
  it('lets a hotspot with its own token publish its reports and state, and read entropy', async () => {
    const client = await asHotspot(alice);
    await client.publishAsync(reportTopic('EU868', alice.address, 'beacon'), 'b', { qos: 1 });
    await client.publishAsync(stateTopic('EU868', alice.address), 'online', { qos: 1, retain: true });
    const granted = await client.subscribeAsync(ENTROPY_TOPIC, { qos: 1 });
    expect(granted[0]!.qos).toBe(1);
    await barrier();
    expect(seen).toContain(reportTopic('EU868', alice.address, 'beacon'));
    expect(seen).toContain(stateTopic('EU868', alice.address));
    await client.endAsync();
  });

  it('refuses wrong keys, expired tokens, unknown hotspots and wrong service passwords at CONNECT', async () => {
    const now = Math.floor(Date.now() / 1000);
    const clientId = `poc-bridge-${alice.address}`;
    const forged = createMqttToken({ address: alice.address, clientId, region: 'EU868', issuedAt: now, expiresAt: now + 600 }, bob.privateKeyObject);
    expect(await refusal({ clientId, username: alice.address, password: forged })).toMatch(/Bad username or password/);
    const expired = createMqttToken({ address: alice.address, clientId, region: 'EU868', issuedAt: now - 7200, expiresAt: now - 3600 }, alice.privateKeyObject);
    expect(await refusal({ clientId, username: alice.address, password: expired })).toMatch(/Bad username or password/);
    expect(await refusal({ clientId, username: alice.address })).toMatch(/Bad username or password/);
    const strangerCreds = hotspotMqttCredentials(stranger, 'EU868');
    expect(await refusal({ clientId: strangerCreds.clientId, username: strangerCreds.username, password: strangerCreds.password })).toMatch(/Not authorized/);
    const wrongRegion = hotspotMqttCredentials(alice, 'US915');
    expect(await refusal({ clientId: wrongRegion.clientId, username: wrongRegion.username, password: wrongRegion.password })).toMatch(/Not authorized/);
    expect(await refusal({ clientId: 'x', username: 'oracle', password: 'guess' })).toMatch(/Bad username or password/);
    expect(await refusal({ clientId: 'anon' })).toMatch(/Bad username or password/);
    const counts = broker.access!.counts();
    expect(counts).toMatchObject({ bad_signature: 1, expired: 1, unknown_hotspot: 1, region_mismatch: 1, bad_service_password: 1 });
    expect(counts.malformed_token).toBe(2);
  });

  it("disconnects a hotspot publishing on another hotspot's topic, on entropy or in another region, and routes nothing", async () => {
    const forbidden = [
      reportTopic('EU868', bob.address, 'beacon'),
      ENTROPY_TOPIC,
      reportTopic('US915', alice.address, 'witness'),
      `poc/v1/eu868/hotspot/${alice.address}/beacon/extra`,
    ];
    for (const topic of forbidden) {
      const client = await asHotspot(alice);
      const gone = closed(client);
      client.publish(topic, 'evil', { qos: 1 });
      await gone;
    }
    await barrier();
    for (const topic of forbidden) expect(seen).not.toContain(topic);
    const denied = broker.access!.recent().filter((r) => r.reason === 'publish_denied').map((r) => r.topic);
    expect(denied).toEqual(forbidden);
  });

  it('refuses a hotspot subscribing to reports (SUBACK 0x80) and keeps it connected for entropy', async () => {
    const client = await asHotspot(alice);
    // mqtt.js turns a SUBACK with a 0x80 entry into an error that carries the packet.
    const suback = await client.subscribeAsync(['poc/v1/+/hotspot/+/beacon', '#', ENTROPY_TOPIC], { qos: 1 }).then(
      () => null,
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted ?? null,
    );
    expect(suback).toEqual([128, 128, 1]);
    expect(client.connected).toBe(true);
    expect(broker.access!.counts().subscribe_denied).toBe(2);
    await client.endAsync();
  });

  it('lets only the oracle publish entropy; the mapper reads but cannot publish', async () => {
    await oracle.publishAsync(ENTROPY_TOPIC, 'entropy', { qos: 1, retain: true });
    const mapper = await connect({ clientId: 'mapper-1', username: 'mapper', password: 'mapper-secret' });
    const entropy = new Promise<string>((resolve) => mapper.on('message', (topic, payload) => topic === ENTROPY_TOPIC && resolve(payload.toString())));
    await mapper.subscribeAsync(ENTROPY_TOPIC, { qos: 1 });
    expect(await entropy).toBe('entropy');
    const gone = closed(mapper);
    mapper.publish(ENTROPY_TOPIC, 'forged', { qos: 1, retain: true });
    await gone;
    const deniedMapper = broker.access!.recent().filter((r) => r.reason === 'publish_denied' && r.who === 'mapper');
    expect(deniedMapper).toHaveLength(1);
  });

  it("lets a relay carry many hotspots' report and state topics, and nothing else", async () => {
    const relay = await connect({ clientId: 'fleet-pool-0', username: 'fleet', password: 'fleet-secret' });
    await relay.publishAsync(reportTopic('US915', alice.address, 'witness'), 'w', { qos: 1 });
    await relay.publishAsync(stateTopic('EU868', bob.address), 'online', { qos: 1, retain: true });
    const suback = await relay.subscribeAsync(['poc/v1/+/hotspot/+/beacon', ENTROPY_TOPIC], { qos: 1 }).then(
      () => null,
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted ?? null,
    );
    expect(suback).toEqual([128, 1]);
    await barrier();
    expect(seen).toContain(reportTopic('US915', alice.address, 'witness'));
    const gone = closed(relay);
    relay.publish(ENTROPY_TOPIC, 'forged', { qos: 1 });
    await gone;
    expect(broker.access!.recent().at(-1)).toMatchObject({ reason: 'publish_denied', who: 'fleet', topic: ENTROPY_TOPIC });
  });

  it('exports refusals as a Prometheus counter and never logs secrets', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/mqtt_broker_rejections_total\{reason="publish_denied"\} 6/);
    expect(text).toMatch(/mqtt_broker_rejections_total\{reason="bad_signature"\} 1/);
    const recorded = JSON.stringify(broker.access!.recent());
    expect(recorded).not.toContain('guess');
    expect(recorded).not.toContain('oracle-secret');
  });
});

describe('hotspotRegistryLookup', () => {
  it('maps registry rows to a region, refuses unknown or region-less hotspots, and caches answers', async () => {
    const { hotspotRegistryLookup } = await import('./access-control');
    const queried: string[] = [];
    const rows: Record<string, { region: string | null }> = { a: { region: 'EU868' }, b: { region: null }, c: { region: 'XX' } };
    const lookup = hotspotRegistryLookup(async (address) => {
      queried.push(address);
      return rows[address];
    });
    expect(await lookup('a')).toEqual({ region: 'EU868' });
    expect(await lookup('a')).toEqual({ region: 'EU868' });
    expect(await lookup('b')).toBeNull();
    expect(await lookup('c')).toBeNull();
    expect(await lookup('missing')).toBeNull();
    expect(queried).toEqual(['a', 'b', 'c', 'missing']);
  });
});
