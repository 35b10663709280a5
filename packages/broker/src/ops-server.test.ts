import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './embedded-broker';
import { startOpsServer } from './ops-server';

describe('ops endpoints for the embedded broker', () => {
  it('serves liveness, readiness with a reason, and Prometheus metrics; 404/405 otherwise', async () => {
    const broker = await startEmbeddedBroker();
    let dependencyUp = true;
    const ops = await startOpsServer({
      registries: [broker.metrics],
      readiness: () => ({ ready: broker.ready() && dependencyUp, detail: { broker: broker.ready(), dependency: dependencyUp ? 'up' : 'down' } }),
    });
    try {
      const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      await client.publishAsync('poc/v1/entropy', 'x', { qos: 1 });
      expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${ops.url}/readyz`)).json()).toEqual({ status: 'ready', broker: true, dependency: 'up' });
      const text = await (await fetch(`${ops.url}/metrics`)).text();
      expect(text).toMatch(/mqtt_broker_clients 1/);
      expect(text).toMatch(/mqtt_broker_publishes_total [1-9]/);
      dependencyUp = false;
      const notReady = await fetch(`${ops.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not_ready', dependency: 'down' });
      expect((await fetch(`${ops.url}/nope`)).status).toBe(404);
      expect((await fetch(`${ops.url}/healthz`, { method: 'POST' })).status).toBe(405);
      await client.endAsync();
    } finally {
      await ops.stop();
      await broker.stop();
    }
    expect(broker.ready()).toBe(false);
  });
});
