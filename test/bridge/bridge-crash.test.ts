import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startVirtualUdpForwarder, type VirtualUdpForwarder } from '@poc/hotspot-firmware-bridge';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { beaconRxpkNumber, bridgeChildEnv, killBridge, queueDepth, spawnBridge, startReportCollector } from './helpers';

const TOTAL = 200;

describe('bridge process killed with reports queued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-crash-'));
  let broker: MosquittoBroker | null = null;
  let child: ChildProcess | null = null;
  let forwarder: VirtualUdpForwarder | null = null;
  let collector: Awaited<ReturnType<typeof startReportCollector>> | null = null;
  afterAll(async () => {
    if (child) await killBridge(child);
    await forwarder?.close();
    await collector?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every queued report after SIGKILL and restart, and the Last Will marks it offline', async () => {
    broker = await startMosquitto();
    collector = await startReportCollector(broker.url, 'crash-collector');
    await broker.stop(); // Nothing can be delivered: every report stays in the on-disk queue.

    const { env, udpPort, apiPort } = await bridgeChildEnv(dir, broker.url);
    child = await spawnBridge(env);
    forwarder = await startVirtualUdpForwarder({ bridgePort: udpPort, gatewayEui: 'AA555A00000000CC', keepaliveMs: 1000 });
    await forwarder.ready;
    // Paced like a concentrator (UDP has no retransmission, so a flood could be dropped by the kernel).
    for (let n = 0; n < TOTAL; n++) {
      forwarder.deliver(beaconRxpkNumber(n));
      if (n % 10 === 9) await new Promise((r) => setTimeout(r, 10));
    }
    await expect.poll(() => queueDepth(apiPort), { timeout: 20_000, interval: 100 }).toBe(TOTAL);

    await killBridge(child);
    await broker.restart();

    child = await spawnBridge(env);
    await expect.poll(() => collector!.missing(TOTAL).length, { timeout: 40_000, interval: 200 }).toBe(0);
    await expect.poll(() => queueDepth(apiPort), { timeout: 10_000 }).toBe(0);
    expect(collector.invalid).toBe(0);
    expect(collector.states).toContain('online');

    // An ungraceful death: the broker publishes the retained Last Will.
    const statesBefore = collector.states.length;
    await killBridge(child);
    await expect.poll(() => collector!.states.slice(statesBefore), { timeout: 10_000 }).toContain('offline');
    console.info(`crash restart: ${TOTAL} reports delivered, ${collector.duplicates()} duplicates`);
  });
});
