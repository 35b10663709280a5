/**
 * `npm start`: the whole network on one machine — PostgreSQL, an MQTT broker, the oracle, a simulated
 * fleet of hotspots running the real bridge code, and the map server. Ctrl-C stops everything cleanly.
 */

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hotspotRegistryLookup, sha256Hex, startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { connectDatabase, guardAgainstDriverTypeFetchFailures, localNetworkDatabaseUrlFile, migrate } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { markMakerDeviceOnboarded } from '@poc/mapper';
import { mapperOptions, mapperSettingsSchema } from '@poc/mapper/main';
import { MAPPER_MIGRATIONS_DIR } from '@poc/mapper/migrations';
import { ensureWebBundle } from '@poc/mapper/web-build';
import { upsertHotspots } from '@poc/oracle';
import { oracleSettingsSchema, startOracleService } from '@poc/oracle/main';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import { createKeyFile, loadKeyFile, type HotspotKeypair } from '@poc/protocol';
import { createLogger, TaskRunner } from '@poc/service';
import { planFleet, type FleetStats, type MapperRunner, type PlanFleetOptions } from '@poc/simulator';
import { startDevChain } from './dev-chain';
import { loadOrCreateMakerKeypair, provisionDevices } from './dev-maker';
import { ensureKeySealFile, registerDemoMappers } from './dev-mappers';
import type { FleetProcessOptions, StartMappersMessage } from './fleet-process';
import { startMapperWhenChainIsUp } from './mapper-with-chain';
import { loadNetworkConfig } from './network-config';
import { onboardingAppOrigins, startOwnHotspot } from './own-hotspot';

const DEMO_EMISSION_PER_EPOCH = 1_000_000n * 1_000_000n; // 1,000,000 tokens, 6 decimals
/** Demo mappers upload their logs this often; the oracle waits this long for late receipts before "no signal". */
const DEMO_MAPPER_UPLOAD_SECONDS = 60;
const DEMO_MAPPER_LOG_GRACE_SECONDS = 60;
type MapperRunnerStats = ReturnType<MapperRunner['stats']>;

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
  let latestMappers: MapperRunnerStats | null = null;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet process exited with code ${code} before it started`)));
    child.on('message', (message: { type: string; stats?: FleetStats; mappers?: MapperRunnerStats }) => {
      if (message.type === 'started') resolve();
      if (message.type === 'stats' && message.stats) latest = message.stats;
      if (message.type === 'stats' && message.mappers) latestMappers = message.mappers;
    });
  });
  return {
    stats: () => latest,
    startMappers: (message: Omit<StartMappersMessage, 'type'>) => child.send({ type: 'mappers', ...message }),
    mapperStats: () => latestMappers,
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
  const log = createLogger({ level: config.LOG_LEVEL });
  guardAgainstDriverTypeFetchFailures(log);
  const dataDir = config.POC_DATA_DIR;
  // The local chain keeps its state in memory, so the database and the bridges' queues start afresh with it.
  const freshNetwork = !config.SOLANA_RPC_URL;
  if (freshNetwork) await rm(join(dataDir, 'bridges'), { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const tasks = new TaskRunner(log);
  tasks.stopOnSignals();

  try {
    await ensureWebBundle((msg) => log.info(msg));
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      log.info('starting embedded PostgreSQL');
      const db = await tasks.start('PostgreSQL', () => startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true, fresh: freshNetwork }));
      databaseUrl = db.url;
    }
    // `npm run api-key` finds the database here (the embedded server's password exists only on this machine).
    await writeFile(localNetworkDatabaseUrlFile(dataDir), `${databaseUrl}\n`, { mode: 0o600 });
    const sql = await tasks.start('registry connection', async () => {
      const connection = connectDatabase(databaseUrl, { max: 4 });
      return { sql: connection, stop: () => connection.end({ timeout: 5 }) };
    });
    // Deployment order: the oracle's schema, then the mapper's, which reads the oracle's tables.
    await migrate(sql.sql, [ORACLE_MIGRATIONS_DIR, MAPPER_MIGRATIONS_DIR]);

    let mqttUrl = config.MQTT_URL;
    let oracleMqttUrl = config.MQTT_URL;
    let broker: EmbeddedBroker | null = null;
    if (!mqttUrl) {
      // Hotspots log in with tokens signed by their own key and may publish only on their own topics;
      // only onboarded hotspots get in. The oracle is a service account with a per-run secret.
      const oracleSecret = randomBytes(24).toString('base64url');
      broker = await tasks.start('MQTT broker', () =>
        startEmbeddedBroker({
          port: config.MQTT_PORT,
          auth: {
            services: [{ username: 'oracle', passwordSha256: sha256Hex(oracleSecret), role: 'oracle' }],
            resolveHotspot: hotspotRegistryLookup(async (address) => (await sql.sql<{ region: string | null }[]>`SELECT region FROM hotspots WHERE address = ${address}`)[0], 10_000),
            logger: log.child({ component: 'broker' }),
          },
        }),
      );
      mqttUrl = broker.url;
      oracleMqttUrl = `mqtt://oracle:${oracleSecret}@127.0.0.1:${broker.port}`;
    }

    const oracleKeyFile = join(dataDir, 'oracle.key');
    const oracleKey = loadOrCreateKey(oracleKeyFile);
    // The operator's key-seal secret: demo mappers' device keys are sealed to it and only the oracle opens them.
    const keySealFile = join(dataDir, 'mapper-key-seal');
    ensureKeySealFile(keySealFile);
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
      sql.sql,
      hotspots.map((h) => ({
        address: h.address,
        name: h.name,
        region: h.region,
        locationH3: h.h3,
        gainDdbi: h.gainDdbi,
        elevationM: h.elevationM,
      })),
    );

    // The maker lists what it builds; its onboarding server co-signs only listed devices.
    const maker = loadOrCreateMakerKeypair(join(dataDir, 'maker-keypair.json'));
    const factoryLog = log.child({ component: 'maker' });
    await provisionDevices(sql.sql, maker, 'simulated-fleet', hotspots.map((h) => h.address), factoryLog);

    const chain = await tasks.start('chain', async () =>
      startDevChain({
        epochSeconds: config.POC_EPOCH_SECONDS,
        emissionPerEpoch: DEMO_EMISSION_PER_EPOCH,
        hotspots,
        maker,
        onFleetOnboarded: (address, owner) => markMakerDeviceOnboarded(sql.sql, address, owner),
        log: log.child({ component: 'chain' }),
      }),
    );

    // The same settings and start-up as the poc-oracle process, with the local chain and broker plugged in.
    const oracleSettings = oracleSettingsSchema.parse({
      DATABASE_URL: databaseUrl,
      MQTT_URL: oracleMqttUrl,
      POC_ORACLE_KEY_FILE: oracleKeyFile,
      POC_EPOCH_SECONDS: config.POC_EPOCH_SECONDS,
      POC_BEACON_INTERVAL_SECONDS: config.POC_BEACON_INTERVAL_SECONDS,
      POC_ENTROPY_INTERVAL_SECONDS: config.POC_ENTROPY_INTERVAL_SECONDS,
      POC_WITNESS_GRACE_SECONDS: config.POC_WITNESS_GRACE_SECONDS,
      POC_COVERAGE_HISTORY_DAYS: config.POC_COVERAGE_HISTORY_DAYS,
      POC_MAPPER_KEY_SEAL_FILE: keySealFile,
      POC_MAPPER_LOG_GRACE_SECONDS: DEMO_MAPPER_LOG_GRACE_SECONDS,
      POC_MQTT_CLIENT_ID: 'poc-oracle-local',
      OPS_HOST: config.HOST,
      OPS_PORT: config.OPS_PORT,
      LOG_LEVEL: config.LOG_LEVEL,
    });
    const oracle = await startOracleService(
      oracleSettings,
      log.child({ component: 'oracle' }),
      tasks,
      {
        emissionPerEpoch: DEMO_EMISSION_PER_EPOCH,
        rejectedMessagesDays: config.POC_REJECTED_MESSAGES_DAYS,
        chainWriter: chain.deferred,
        registryClient: chain.deferred,
        blockhashSource: chain.deferred.blockhash,
      },
      broker ? { registries: [broker.metrics], readiness: () => ({ ready: broker.ready(), detail: broker.ready() ? 'up' : 'down' }) } : undefined,
    );

    const fleet = await tasks.start('hotspot fleet', () =>
      startFleetProcess({
        plan,
        mqttUrl: mqttUrl!,
        oracleAddress: oracleKey.address,
        dataDir: join(dataDir, 'bridges'),
        beaconIntervalSeconds: config.POC_BEACON_INTERVAL_SECONDS,
        radioSeed: config.POC_FLEET_SEED,
        logLevel: config.LOG_LEVEL,
      }),
    );

    const myHotspot = await startOwnHotspot({
      keyPath: join(dataDir, 'my-hotspot.key'),
      queueDir: join(dataDir, 'my-hotspot-queue'),
      mqttUrl: mqttUrl!,
      oracleAddress: oracleKey.address,
      beaconIntervalSeconds: config.POC_BEACON_INTERVAL_SECONDS,
      udpPort: config.POC_MY_HOTSPOT_UDP_PORT,
      apiPort: config.POC_MY_HOTSPOT_API_PORT,
      apiAllowedOrigins: onboardingAppOrigins(config.HOST, config.PORT),
      log: log.child({ component: 'my-hotspot' }),
    });
    tasks.add({ name: 'your hotspot', stop: myHotspot.node.stop });
    await provisionDevices(sql.sql, maker, 'my-hotspot', [myHotspot.node.bridge.status().address], factoryLog);

    const mapperSettings = mapperSettingsSchema.parse({
      DATABASE_URL: databaseUrl,
      HOST: config.HOST,
      PORT: config.PORT,
      MAPPER_OPS_PORT: config.MAPPER_OPS_PORT,
      POC_BEACON_INTERVAL_SECONDS: config.POC_BEACON_INTERVAL_SECONDS,
      MAP_STYLE_URL: process.env.MAP_STYLE_URL || undefined,
      LOG_LEVEL: config.LOG_LEVEL,
    });
    const mapper = await tasks.start('map server', () =>
      startMapperWhenChainIsUp({
        base: mapperOptions(mapperSettings, log.child({ component: 'mapper' })),
        bridgeApiUrl: myHotspot.node.apiUrl ?? undefined,
        chainUp: chain.up,
        log: log.child({ component: 'mapper' }),
      }),
    );

    const mapperDevices = await registerDemoMappers(sql.sql, keySealFile, config.POC_MAPPERS, log.child({ component: 'mappers' }));
    fleet.startMappers({ devices: mapperDevices, mapperUrl: mapper.url, uploadIntervalSeconds: DEMO_MAPPER_UPLOAD_SECONDS });

    const regions = [...new Set(hotspots.map((h) => h.region))].join(', ');
    console.log(
      [
        '',
        '  The network is running on this machine:',
        `    Coverage map        ${mapper.url}`,
        `    Add a hotspot       ${mapper.url}/onboard   (your hotspot: ${myHotspot.node.bridge.status().address}, local API ${myHotspot.node.apiUrl})`,
        `                        its pairing code:  npx poc-bridge pair --api-port ${config.POC_MY_HOTSPOT_API_PORT}`,
        `    Carriers' API docs  ${mapper.url}/docs`,
        `    Oracle ops          ${oracle.opsUrl}/metrics  /healthz  /readyz`,
        `    Map server ops      ${mapper.opsUrl}/metrics  /healthz  /readyz`,
        `    MQTT broker         ${mqttUrl}${broker ? ' (embedded aedes, hotspot-token auth)' : ''}`,
        `    PostgreSQL          DATABASE_URL=${databaseUrl}`,
        `    Fleet               ${hotspots.length} simulated hotspots (${regions}); epochs every ${config.POC_EPOCH_SECONDS} s`,
        `    Mappers             ${mapperDevices.length} registered devices driving (50 km/h) and walking (5 km/h) between the fleet's towns, a frame every 30 s;`,
        `                        measured coverage fills in along their routes within minutes, unheard stretches as measured no-signal (logs every ${DEMO_MAPPER_UPLOAD_SECONDS} s)`,
        '',
        '  Estimated coverage around the hotspots appears on the map within a minute (city zoom); a street basemap:',
        '  MAP_STYLE_URL=<MapLibre style URL> npm start. Areas: POST /v1/coverage/area → expected_covered_fraction.',
        '  Create a carrier API key:  npm run api-key -- create --name acme',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    setInterval(() => {
      const f = fleet.stats();
      log.info({ fleet: f && { beacons: f.beaconsSent, witnesses: f.witnessesReported, queued: f.queueDepth }, mappers: fleet.mapperStats(), oracle: oracle.stats() }, 'network status');
    }, 30_000).unref();
  } catch (error) {
    log.error({ err: error }, 'network failed to start');
    await tasks.stop('startup failure');
    process.exit(1);
  }
}

await main();
