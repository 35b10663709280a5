import { beaconFrame, createKeyFile, decodeReportPayload, keypairFromSecret } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Rxpk } from '@poc/hotspot-firmware-bridge';
import { freePort } from '@poc/devnet/postgres';

const BRIDGE_CHILD = join(import.meta.dirname, 'fixtures', 'bridge-child.ts');

/** A new hotspot key in `dir`, free UDP and API ports, and the environment of a bridge child using them and its queue in `dir`. */
export async function bridgeChildEnv(dir: string, mqttUrl: string) {
  const keyFile = join(dir, 'hotspot.key');
  createKeyFile(keyFile);
  const [udpPort, apiPort] = [await freePort(), await freePort()];
  const env = {
    POC_KEY_FILE: keyFile, POC_MQTT_URL: mqttUrl, POC_ORACLE_KEY: keypairFromSecret(new Uint8Array(32).fill(5)).address,
    POC_QUEUE_DIR: join(dir, 'queue'), POC_UDP_PORT: String(udpPort), POC_API_PORT: String(apiPort),
  };
  return { env, udpPort, apiPort };
}

/** Starts a real bridge process (fixtures/bridge-child.ts) and resolves once it reports ready. */
export function spawnBridge(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', BRIDGE_CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bridge child exited early with ${code}`)));
  });
}

/** SIGKILLs the bridge process (if still alive) and waits until it is gone. */
export async function killBridge(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** The depth of the bridge's on-disk report queue, from its status API. */
export async function queueDepth(apiPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/status`);
  return ((await response.json()) as { queue: { depth: number } }).queue.depth;
}

/** A PoC beacon as a concentrator would report it; `n` makes each one distinct. */
export function beaconRxpkNumber(n: number): Rxpk {
  const data = new Uint8Array(51);
  new DataView(data.buffer).setUint32(0, n);
  data.fill(0xab, 4);
  const frame = beaconFrame(data);
  return {
    tmst: n, freq: 867.9, chan: 4, rfch: 0, stat: 1, modu: 'LORA', datr: 'SF12BW125', codr: '4/5',
    rssi: -100, lsnr: -5, size: frame.length, data: Buffer.from(frame).toString('base64'), payload: frame,
  };
}

/** Subscribes (persistent session, QoS 1) to every witness report and records which beacon numbers arrived. */
export async function startReportCollector(url: string, clientId: string) {
  const received = new Map<number, number>();
  const states: string[] = [];
  let invalid = 0;
  const client: MqttClient = mqtt.connect(url, {
    clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 200,
  });
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/state')) {
      states.push(payload.toString());
      return;
    }
    const decoded = decodeReportPayload('witness', payload);
    if (!decoded.ok || decoded.kind !== 'witness') {
      invalid++;
      return;
    }
    const n = new DataView(decoded.report.data.buffer, decoded.report.data.byteOffset).getUint32(0);
    received.set(n, (received.get(n) ?? 0) + 1);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(['poc/v1/+/hotspot/+/witness', 'poc/v1/+/hotspot/+/state'], { qos: 1 });
  return {
    received,
    states,
    get invalid() {
      return invalid;
    },
    duplicates: () => [...received.values()].reduce((n, c) => n + c - 1, 0),
    missing: (count: number) => Array.from({ length: count }, (_, i) => i).filter((i) => !received.has(i)),
    stop: () => client.endAsync(true),
  };
}
