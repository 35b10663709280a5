import { keypairFromSecret } from '@poc/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessLink, startBridgeNode, type BridgeNode, type BridgeNodeOptions } from '@poc/hotspot-firmware-bridge';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { beaconRxpkNumber } from './helpers';

const oracle = keypairFromSecret(new Uint8Array(32).fill(8));

/** A describe block's broker and bridges: `startBroker` once, then `startBridge` per hotspot; all stopped after it. */
function brokerWithBridges(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let broker: EmbeddedBroker | null = null;
  const nodes: BridgeNode[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    async startBroker(options: Parameters<typeof startEmbeddedBroker>[0]) {
      broker = await startEmbeddedBroker(options);
      return broker;
    },
    async startBridge(seed: number, options: Partial<BridgeNodeOptions>) {
      const { link, forwarder } = createInProcessLink();
      const node = await startBridgeNode({
        keypair: keypairFromSecret(new Uint8Array(32).fill(seed)), region: 'US915', antennaGainDdbi: 30, mqttUrl: broker!.url,
        oracleAddress: oracle.address, queueDir: join(dir, String(seed)), beaconIntervalSeconds: 60, link, beaconing: false,
        logger: pino({ level: 'silent' }), ...options,
      });
      nodes.push(node);
      return { node, forwarder };
    },
  };
}

describe('bridge against the authenticating broker', () => {
  const fixture = brokerWithBridges('bridge-auth-');

  it('logs in with its self-signed hotspot token and delivers; without a token it is refused', async () => {
    const broker = await fixture.startBroker({ auth: {} });
    const good = await fixture.startBridge(31, { mqttHotspotToken: true });
    const anonymous = await fixture.startBridge(32, { mqttHotspotToken: false });
    await expect.poll(() => good.node.publisher.mqttState(), { timeout: 10_000 }).toBe('online');
    for (let n = 0; n < 20; n++) good.forwarder.deliver(beaconRxpkNumber(n));
    await expect.poll(() => good.node.publisher.stats().acknowledged, { timeout: 10_000 }).toBe(20);
    expect(good.node.queue.depth).toBe(0);

    anonymous.forwarder.deliver(beaconRxpkNumber(1));
    await expect.poll(() => anonymous.node.queue.depth, { timeout: 5_000 }).toBe(1);
    await expect.poll(() => broker.access!.counts(), { timeout: 5_000 }).not.toEqual({});
    expect(anonymous.node.publisher.mqttState()).not.toBe('online');
    expect(anonymous.node.queue.depth).toBe(1); // kept on disk until it may deliver
  });
});

describe('bridge pacing against the broker rate limit', () => {
  const fixture = brokerWithBridges('bridge-pace-');

  it('drains a backlog larger than the broker burst without being disconnected; unpaced, the broker cuts it off', async () => {
    const broker = await fixture.startBroker({ auth: { publishRates: { hotspot: { burst: 20, perSecond: 20 } } } });
    const start = async (seed: number, publishPace: { burst: number; perSecond: number } | null) => {
      const bridge = await fixture.startBridge(seed, { publishPace });
      await expect.poll(() => bridge.node.publisher.mqttState(), { timeout: 10_000 }).toBe('online');
      return bridge;
    };
    const paced = await start(33, { burst: 10, perSecond: 10 });
    for (let n = 0; n < 40; n++) paced.forwarder.deliver(beaconRxpkNumber(n));
    await expect.poll(() => paced.node.publisher.stats().acknowledged, { timeout: 20_000 }).toBe(40);
    expect(paced.node.publisher.stats().connects).toBe(1);
    expect(broker.access!.counts().rate_limited).toBeUndefined();

    const unpaced = await start(34, null);
    for (let n = 0; n < 40; n++) unpaced.forwarder.deliver(beaconRxpkNumber(n));
    await expect.poll(() => broker.access!.counts().rate_limited ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
  });
});
