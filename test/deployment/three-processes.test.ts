/**
 * The operator's deployment (docs/operations.md §7), as processes: poc-oracle, poc-mapper and poc-bridge started from
 * their compiled bins (node <pkg>/dist/….mjs, no TypeScript loader) with settings in the environment only, against
 * Debian's PostgreSQL server and Debian's mosquitto with a password_file and an acl_file. The bridges log in with
 * static credentials (username = hotspot address, --mqtt-password-file) because plain mosquitto cannot verify the
 * default login token.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellToParent, latLngToCell } from 'h3-js';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '@poc/db';
import { startDebianPostgres, type DebianPostgres } from '@poc/devnet/debian-postgres';
import { pocMosquittoAcl, startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { freePort } from '@poc/devnet/postgres';
import { startVirtualUdpForwarder, type Rxpk, type Txpk, type VirtualUdpForwarder } from '@poc/hotspot-firmware-bridge';
import { upsertHotspots } from '@poc/oracle';
import { ENTROPY_TOPIC, reportTopic } from '@poc/protocol';
import { BINS, ServiceProcess, ensureServiceBins, getJson, keygen } from './support';

const ORACLE_USER = 'oracle';
const BEACON_INTERVAL_SECONDS = 10;

/** Two hotspots ~2.5 km apart in Amsterdam: far enough for a valid witness (≥ 8 res-11 cells), close enough to hear. */
const SITES = [
  { name: 'deploy-west', lat: 52.3676, lng: 4.9041 },
  { name: 'deploy-east', lat: 52.3676, lng: 4.9410 },
] as const;
/** Well below free-space loss over 2.5 km at 868 MHz (about −83 dBm at most), so the oracle finds it plausible. */
const HEARD_RSSI = -105;

/** The frame one bridge transmitted, as the other's concentrator receives it. */
function heard(txpk: Txpk): Rxpk {
  const payload = new Uint8Array(Buffer.from(txpk.data, 'base64'));
  return {
    tmst: Math.floor(performance.now() * 1000) >>> 0, freq: txpk.freq, chan: 0, rfch: 0, stat: 1, modu: 'LORA', datr: txpk.datr,
    codr: txpk.codr ?? '4/5', rssi: HEARD_RSSI, lsnr: 5.5, size: payload.length, data: txpk.data, payload,
  };
}

interface Hotspot {
  name: string;
  address: string;
  keyFile: string;
  passwordFile: string;
  password: string;
  h3: string;
}

describe('operator deployment: poc-oracle, poc-mapper and poc-bridge processes on Debian PostgreSQL and mosquitto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poc-deployment-'));
  const oracleSecret = randomBytes(18).toString('base64url');
  const processes: ServiceProcess[] = [];
  const forwarders: VirtualUdpForwarder[] = [];
  let postgres: DebianPostgres | null = null;
  let broker: MosquittoBroker | null = null;
  let oracleAddress = '';
  const hotspots: Hotspot[] = [];

  beforeAll(async () => {
    await ensureServiceBins();
    oracleAddress = await keygen(join(dir, 'oracle.key'));
    for (const site of SITES) {
      const keyFile = join(dir, `${site.name}.key`);
      const password = randomBytes(18).toString('base64url');
      const passwordFile = join(dir, `${site.name}.mqtt-password`);
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
      hotspots.push({ name: site.name, address: await keygen(keyFile), keyFile, passwordFile, password, h3: latLngToCell(site.lat, site.lng, 12) });
    }
    postgres = await startDebianPostgres({ database: 'poc' });
    broker = await startMosquitto({ auth: { users: [{ username: ORACLE_USER, password: oracleSecret }], acl: pocMosquittoAcl(ORACLE_USER) } });
    // The operator provisions each hotspot on the running broker: mosquitto_passwd -b, then SIGHUP.
    for (const h of hotspots) await broker.provisionUser(h.address, h.password);
  });

  afterAll(async () => {
    await Promise.all(forwarders.map((f) => f.close()));
    await Promise.all(processes.map((p) => p.kill()));
    await broker?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (name: string, bin: string, args: string[], env: Record<string, string>) => {
    const service = new ServiceProcess(name, bin, args, env);
    processes.push(service);
    return service;
  };

  /** Polls `url` until it answers `status`; the failure message carries the service's output. */
  const waitForStatus = async (service: ServiceProcess, url: string, status: number, timeout: number) => {
    await expect
      .poll(async () => (service.running ? (await getJson(url)).status : -1), { timeout, interval: 250, message: `${url} never answered ${status}\n${service.output()}` })
      .toBe(status);
  };

  it('mosquitto admits a hotspot only with its provisioned password, and only under its own address', async () => {
    const [west, east] = hotspots as [Hotspot, Hotspot];
    const login = (username: string | undefined, password: string | undefined) =>
      mqtt.connectAsync(broker!.url, { clientId: `acl-check-${randomBytes(4).toString('hex')}`, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000, ...(username ? { username } : {}), ...(password ? { password } : {}) });

    await expect(login(undefined, undefined), 'anonymous').rejects.toThrow(/not authori[sz]ed|bad user name or password/i);
    await expect(login(west.address, east.password), "another hotspot's password").rejects.toThrow(/not authori[sz]ed|bad user name or password/i);

    // The broker reloads its password_file on SIGHUP: poll until the newly provisioned logins are accepted.
    const provisioned = async (username: string, password: string) => {
      let client: mqtt.MqttClient | null = null;
      await expect
        .poll(async () => (client = await login(username, password).catch(() => null)) !== null, { timeout: 10_000, interval: 200, message: `${username} never admitted` })
        .toBe(true);
      return client! as mqtt.MqttClient;
    };
    const westClient = await provisioned(west.address, west.password);
    const eastClient = await provisioned(east.address, east.password);
    const oracleClient = await provisioned(ORACLE_USER, oracleSecret);
    try {
      // MQTT 5 answers a publish the ACL refuses with PUBACK reason 0x87 "Not authorized".
      await expect(westClient.publishAsync(reportTopic('EU868', east.address, 'witness'), 'x', { qos: 1 }), "another hotspot's topic").rejects.toThrow(/not authori[sz]ed|135/i);
      await expect(westClient.publishAsync(ENTROPY_TOPIC, 'x', { qos: 1 }), 'entropy').rejects.toThrow(/not authori[sz]ed|135/i);
      await expect(westClient.publishAsync(reportTopic('EU868', west.address, 'witness'), 'x', { qos: 1 }), 'own topic').resolves.toBeDefined();

      // mosquitto grants any subscription and checks `read` per delivered message: a hotspot subscribed to every
      // report receives none of them. The oracle's marker, published after the report was acknowledged, comes
      // through on the same connection, so had the report been delivered it would have arrived first.
      const delivered: string[] = [];
      westClient.on('message', (topic) => delivered.push(topic));
      await westClient.subscribeAsync(['poc/v1/+/hotspot/+/witness', ENTROPY_TOPIC], { qos: 1 });
      await eastClient.publishAsync(reportTopic('EU868', east.address, 'witness'), 'east report', { qos: 1 });
      await oracleClient.publishAsync(ENTROPY_TOPIC, 'marker', { qos: 1 });
      await expect.poll(() => delivered, { timeout: 10_000 }).toContain(ENTROPY_TOPIC);
      expect(delivered).toEqual([ENTROPY_TOPIC]);
    } finally {
      await Promise.all([westClient, eastClient, oracleClient].map((c) => c.endAsync(true)));
    }
  });

  it('a beacon heard by a second hotspot travels bridge → mosquitto → oracle → PostgreSQL → map API, and SIGTERM stops each process with exit code 0', async () => {
    const [west, east] = hotspots as [Hotspot, Hotspot];
    const [oracleOpsPort, mapperPort, mapperOpsPort] = [await freePort(), await freePort(), await freePort()];

    const oracle = start('poc-oracle', BINS.oracle, [], {
      DATABASE_URL: postgres!.url,
      MQTT_URL: `mqtt://${ORACLE_USER}:${oracleSecret}@127.0.0.1:${broker!.port}`,
      POC_ORACLE_KEY_FILE: join(dir, 'oracle.key'),
      POC_EMISSION_PER_EPOCH: '1000000000',
      POC_BEACON_INTERVAL_SECONDS: String(BEACON_INTERVAL_SECONDS),
      POC_ENTROPY_INTERVAL_SECONDS: '5',
      POC_WITNESS_GRACE_SECONDS: '1',
      POC_WORKER_THREADS: '1',
      POC_MQTT_CLIENT_ID: 'poc-oracle-deployment-test',
      OPS_PORT: String(oracleOpsPort),
    });
    // Ready = migrations applied, logged in to mosquitto as the service account, PostgreSQL answering.
    await waitForStatus(oracle, `http://127.0.0.1:${oracleOpsPort}/readyz`, 200, 90_000);

    // The operator's registry (npm start does the same for its genesis fleet); on a cluster the oracle mirrors the chain.
    const sql = connectDatabase(postgres!.url, { max: 1 });
    try {
      await upsertHotspots(sql, hotspots.map((h) => ({ address: h.address, name: h.name, region: 'EU868', locationH3: h.h3 })));
    } finally {
      await sql.end({ timeout: 5 });
    }

    // The mapper after the oracle: its migrations build on the oracle's schema.
    const mapper = start('poc-mapper', BINS.mapper, [], {
      DATABASE_URL: postgres!.url,
      HOST: '127.0.0.1',
      PORT: String(mapperPort),
      MAPPER_OPS_PORT: String(mapperOpsPort),
      POC_BEACON_INTERVAL_SECONDS: String(BEACON_INTERVAL_SECONDS),
    });
    await waitForStatus(mapper, `http://127.0.0.1:${mapperOpsPort}/readyz`, 200, 90_000);

    // Each bridge beside its own (virtual) packet forwarder; what one transmits, the other's concentrator hears.
    const bridges: { hotspot: Hotspot; process: ServiceProcess; apiPort: number; forwarder: VirtualUdpForwarder }[] = [];
    for (const hotspot of hotspots) {
      const [udpPort, apiPort] = [await freePort(), await freePort()];
      const bridge = start(`poc-bridge ${hotspot.name}`, BINS.bridge, ['run', '--mqtt-password-file', hotspot.passwordFile], {
        POC_KEY_FILE: hotspot.keyFile,
        POC_MQTT_URL: broker!.url,
        POC_REGION: 'EU868',
        POC_ORACLE_KEY: oracleAddress,
        POC_UDP_PORT: String(udpPort),
        POC_API_PORT: String(apiPort),
        POC_QUEUE_DIR: join(dir, `${hotspot.name}-queue`),
        POC_BEACON_INTERVAL_SECONDS: String(BEACON_INTERVAL_SECONDS),
      });
      const forwarder = await startVirtualUdpForwarder({ bridgePort: udpPort, gatewayEui: hotspot === west ? 'AA555A0000000D01' : 'AA555A0000000D02', keepaliveMs: 1_000 });
      forwarders.push(forwarder);
      bridges.push({ hotspot, process: bridge, apiPort, forwarder });
    }
    const [westBridge, eastBridge] = bridges as [(typeof bridges)[0], (typeof bridges)[0]];
    westBridge.forwarder.onTransmit((txpk) => {
      setImmediate(() => eastBridge.forwarder.deliver(heard(txpk)));
      return { error: 'NONE' };
    });
    eastBridge.forwarder.onTransmit((txpk) => {
      setImmediate(() => westBridge.forwarder.deliver(heard(txpk)));
      return { error: 'NONE' };
    });
    for (const bridge of bridges) {
      // Ready = logged in to mosquitto with the provisioned password (the bridge's /readyz is its MQTT state).
      await waitForStatus(bridge.process, `http://127.0.0.1:${bridge.apiPort}/readyz`, 200, 30_000);
      await Promise.race([bridge.forwarder.ready, new Promise((_, reject) => setTimeout(() => reject(new Error(`${bridge.hotspot.name}: forwarder never acknowledged`)), 15_000))]);
    }

    const api = `http://127.0.0.1:${mapperPort}/api/v1`;
    const diagnostics = () => [oracle, mapper, ...bridges.map((b) => b.process)].map((p) => p.output()).join('\n');
    type HotspotPage = { hotspot: { recent_beacons: { hash: string }[]; recent_witnesses: { beaconer: string | null; status: string }[] } };
    type HexPage = { hotspots: { address: string; witness_count: number }[] };

    // The west hotspot's beacon, signed by its bridge, on its hotspot page.
    await expect
      .poll(async () => ((await getJson(`${api}/hotspots/${west.address}`)).body as HotspotPage | null)?.hotspot.recent_beacons.length ?? 0, {
        timeout: 90_000, interval: 500, message: `no beacon of ${west.address} on the map API\n${diagnostics()}`,
      })
      .toBeGreaterThan(0);
    // The east hotspot's witness of it, judged by the oracle (valid, or invalid for reciprocity on the first round).
    await expect
      .poll(async () => ((await getJson(`${api}/hotspots/${east.address}`)).body as HotspotPage | null)?.hotspot.recent_witnesses.filter((w) => w.beaconer === west.address && w.status !== 'pending').length ?? 0, {
        timeout: 60_000, interval: 500, message: `no judged witness of ${west.address}'s beacon by ${east.address}\n${diagnostics()}`,
      })
      .toBeGreaterThan(0);
    // …and the coverage it proves: the west hotspot's res-9 hex, heard by the east hotspot.
    const hex = cellToParent(west.h3, 9);
    await expect
      .poll(async () => {
        const { status, body } = await getJson(`${api}/hexes/${hex}`);
        return status === 200 ? (body as HexPage).hotspots.map((h) => h.address) : [];
      }, { timeout: 30_000, interval: 500, message: `hex ${hex} never covered\n${diagnostics()}` })
      .toContain(east.address);
    // The point query reads the mapper's in-memory coverage index, which follows the table within seconds.
    await expect
      .poll(async () => (await getJson(`${api}/coverage?lat=${SITES[0].lat}&lng=${SITES[0].lng}`)).body, { timeout: 30_000, interval: 500 })
      .toMatchObject({ h3: hex, covered: true });

    // Stopped as systemd stops units, in reverse order of dependency: every process exits cleanly with 0.
    for (const service of [...bridges.map((b) => b.process), mapper, oracle]) {
      const exit = await service.terminate();
      expect(exit, `${service.name} after SIGTERM\n${service.output()}`).toEqual({ code: 0, signal: null });
    }
  });
});
