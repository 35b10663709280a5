import { keypairFromSecret, createKeyFile } from '@poc/protocol';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startVirtualUdpForwarder, type VirtualUdpForwarder } from '@poc/hotspot-firmware-bridge';
import { freePort } from '@poc/devnet/postgres';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { beaconRxpkNumber, startReportCollector } from './helpers';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'bridge-child.ts');
const TOTAL = 200;

function spawnBridge(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bridge child exited early with ${code}`)));
  });
}

async function queueDepth(apiPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/status`);
  return ((await response.json()) as { queue: { depth: number } }).queue.depth;
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('bridge process killed with reports queued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-crash-'));
  let broker: MosquittoBroker | null = null;
  let child: ChildProcess | null = null;
  let forwarder: VirtualUdpForwarder | null = null;
  let collector: Awaited<ReturnType<typeof startReportCollector>> | null = null;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await killed(child);
    }
    await forwarder?.close();
    await collector?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every queued report after SIGKILL and restart, and the Last Will marks it offline', async () => {
    broker = await startMosquitto();
    collector = await startReportCollector(broker.url, 'crash-collector');
    await broker.stop(); // Nothing can be delivered: every report stays in the on-disk queue.

    const keyFile = join(dir, 'hotspot.key');
    createKeyFile(keyFile);
    const [udpPort, apiPort] = [await freePort(), await freePort()];
    const env = {
      POC_KEY_FILE: keyFile, POC_MQTT_URL: broker.url, POC_ORACLE_KEY: keypairFromSecret(new Uint8Array(32).fill(5)).address,
      POC_QUEUE_DIR: join(dir, 'queue'), POC_UDP_PORT: String(udpPort), POC_API_PORT: String(apiPort),
    };
    child = await spawnBridge(env);
    forwarder = await startVirtualUdpForwarder({ bridgePort: udpPort, gatewayEui: 'AA555A00000000CC', keepaliveMs: 1000 });
    await forwarder.ready;
    // Paced like a concentrator (UDP has no retransmission, so a flood could be dropped by the kernel).
    for (let n = 0; n < TOTAL; n++) {
      forwarder.deliver(beaconRxpkNumber(n));
      if (n % 10 === 9) await new Promise((r) => setTimeout(r, 10));
    }
    await expect.poll(() => queueDepth(apiPort), { timeout: 20_000, interval: 100 }).toBe(TOTAL);

    child.kill('SIGKILL');
    await killed(child);
    await broker.restart();

    child = await spawnBridge(env);
    await expect.poll(() => collector!.missing(TOTAL).length, { timeout: 40_000, interval: 200 }).toBe(0);
    await expect.poll(() => queueDepth(apiPort), { timeout: 10_000 }).toBe(0);
    expect(collector.invalid).toBe(0);
    expect(collector.states).toContain('online');

    // An ungraceful death: the broker publishes the retained Last Will.
    const statesBefore = collector.states.length;
    child.kill('SIGKILL');
    await killed(child);
    await expect.poll(() => collector!.states.slice(statesBefore), { timeout: 10_000 }).toContain('offline');
    console.info(`crash restart: ${TOTAL} reports delivered, ${collector.duplicates()} duplicates`);
  });
});
