import { bridgeClientId, hotspotMqttCredentials, keypairFromSecret } from '@poc/protocol';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { createInProcessLink, startBridgeNode, type BridgeNode } from '@poc/hotspot-firmware-bridge';
import mqtt from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { beaconRxpkNumber } from '../bridge/helpers';

/**
 * MQTT login tokens as stolen bearer tokens: a token seen on the wire (here: read by the broker's preConnect hook,
 * standing for a sniffed or logged CONNECT) must not log anyone in again, so it cannot take over the bridge's
 * session id and kick the bridge off. Real aedes, a real bridge node, real mqtt.js clients.
 */
const dir = mkdtempSync(join(tmpdir(), 'mqtt-replay-'));
const hotspot = keypairFromSecret(new Uint8Array(32).fill(41));
const oracle = keypairFromSecret(new Uint8Array(32).fill(42));
const clientId = bridgeClientId(hotspot.address);
const seenPasswords: string[] = [];
/** The bridge's sessions as the broker registered them. */
const sessions: { id: string; closed: boolean; conn: { destroy(): void } }[] = [];
let broker: EmbeddedBroker;
let node: BridgeNode;
let forwarder: ReturnType<typeof createInProcessLink>['forwarder'];

const attempt = (password: string) =>
  mqtt.connectAsync(broker.url, { clientId, username: hotspot.address, password, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 }).then(
    async (client) => {
      await client.endAsync(true);
      return 'connected';
    },
    (error: Error) => error.message,
  );

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    auth: { logger: pino({ level: 'silent' }) },
    aedes: {
      preConnect: (_client, packet, done) => {
        if (packet.clientId === clientId && packet.password) seenPasswords.push(packet.password.toString());
        done(null, true);
      },
    },
  });
  broker.broker.on('client', (client) => client.id === clientId && sessions.push(client));
  const link = createInProcessLink();
  forwarder = link.forwarder;
  node = await startBridgeNode({
    keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, mqttUrl: broker.url, oracleAddress: oracle.address,
    queueDir: dir, beaconIntervalSeconds: 60, link: link.link, beaconing: false, logger: pino({ level: 'silent' }),
  });
  await vi.waitFor(() => expect(node.publisher.mqttState()).toBe('online'), { timeout: 10_000 });
});

afterAll(async () => {
  await node?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('MQTT login token replay (real aedes, real bridge)', () => {
  it("refuses the bridge's own token replayed under its client id, and the bridge's session stays up", async () => {
    expect(seenPasswords).toHaveLength(1);
    expect(await attempt(seenPasswords[0]!)).toMatch(/Bad username or password/);
    expect(broker.access!.counts().token_replayed).toBe(1);
    // Still the first and only session: aedes replaces a session only for a CONNECT it accepted.
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.closed).toBe(false);
    expect(node.publisher.stats().connects).toBe(1);
    forwarder.deliver(beaconRxpkNumber(1));
    await expect.poll(() => node.publisher.stats().acknowledged, { timeout: 10_000 }).toBe(1);
    expect(node.publisher.stats().connects).toBe(1);
  });

  it('refuses a token that stays valid for days', async () => {
    const long = hotspotMqttCredentials(hotspot, 'EU868', { lifetimeSeconds: 2 * 86_400, clientId: 'poc-replay-long' });
    const refused = await mqtt
      .connectAsync(broker.url, { clientId: long.clientId, username: long.username, password: long.password, reconnectPeriod: 0, protocolVersion: 4 })
      .then(async (client) => {
        await client.endAsync(true);
        return 'connected';
      }, (error: Error) => error.message);
    expect(refused).toMatch(/Bad username or password/);
    expect(broker.access!.counts().lifetime_too_long).toBe(1);
  });

  it('the bridge logs in again with a fresh token after losing its connection', async () => {
    const before = seenPasswords.length; // the bridge's login and the attacker's replay of it
    sessions[0]!.conn.destroy();
    await expect.poll(() => node.publisher.stats().connects, { timeout: 10_000 }).toBe(2);
    expect(node.publisher.mqttState()).toBe('online');
    expect(seenPasswords).toHaveLength(before + 1);
    expect(seenPasswords.slice(0, before)).not.toContain(seenPasswords[before]);
    expect(broker.access!.counts().token_replayed).toBe(1); // only the attacker's
  });
});
