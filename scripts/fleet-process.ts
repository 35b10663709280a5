/**
 * The simulated fleet in its own process, so 200+ bridges and their radio medium don't share an event
 * loop (and a core) with the oracle — as in the field, where hotspots are separate machines.
 * Started by start-network.ts with fork(); takes its options as JSON in argv[2]; reports stats over IPC.
 */
import { keypairFromSecret } from '@poc/protocol';
import { createLogger } from '@poc/service';
import { planFleet, planMapperRoutes, runMappers, SimulatedMapper, startFleet, type MapperRunner, type PlanFleetOptions } from '@poc/simulator';
import type { DemoMapperDevice } from './dev-mappers';

export interface FleetProcessOptions {
  plan: PlanFleetOptions;
  mqttUrl: string;
  oracleAddress: string;
  dataDir: string;
  beaconIntervalSeconds: number;
  radioSeed: number;
  logLevel: string;
}

/** Sent over IPC once the map server is up (device keys never go on a command line). */
export interface StartMappersMessage {
  type: 'mappers';
  devices: DemoMapperDevice[];
  mapperUrl: string;
  uploadIntervalSeconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FleetProcessOptions;
const logger = createLogger({ level: options.logLevel }).child({ component: 'fleet' });
const hotspots = planFleet(options.plan);
const fleet = await startFleet({
  mqttUrl: options.mqttUrl,
  hotspots,
  oracleAddress: options.oracleAddress,
  dataDir: options.dataDir,
  beaconIntervalSeconds: options.beaconIntervalSeconds,
  radioSeed: options.radioSeed,
  logger,
});
process.send?.({ type: 'started' });
let mappers: MapperRunner | null = null;
const statsTimer = setInterval(() => process.send?.({ type: 'stats', stats: fleet.stats(), mappers: mappers?.stats() }), 5_000);

/** Demo mappers: two thirds drive between the fleet's towns, the rest walk around one (scripts/dev-mappers.ts registers them). */
function startMappers(message: StartMappersMessage) {
  if (mappers || message.devices.length === 0) return;
  const walks = Math.floor(message.devices.length / 3);
  const routes = planMapperRoutes(hotspots, { drives: message.devices.length - walks, walks, seed: options.radioSeed });
  const simulated = routes.map((route, i) => {
    const device = message.devices[i]!;
    // Counters start at 0: each device was registered with a fresh key this run, and the oracle restarts a re-keyed
    // device's counter (as after a LoRaWAN join). Devices start spread along their routes, some between towns.
    return new SimulatedMapper({
      deviceId: device.deviceId,
      deviceKey: Buffer.from(device.deviceKeyHex, 'hex'),
      route,
      medium: fleet.medium,
      owner: device.owner,
      ownerKey: keypairFromSecret(Buffer.from(device.ownerSecretHex, 'hex')).privateKeyObject,
      routeOffsetMs: ((route.lengthM / route.speedMS) * 1000 * ((i * 0.37) % 1)),
    });
  });
  mappers = runMappers(simulated, {
    mapperUrl: message.mapperUrl,
    uploadIntervalMs: message.uploadIntervalSeconds * 1000,
    onError: (err, mapper) => logger.warn({ err, deviceId: mapper.deviceId }, 'mapper log upload failed'),
  });
  logger.info({ mappers: routes.map((r, i) => ({ deviceId: message.devices[i]!.deviceId, kind: r.kind, towns: r.towns.join(' → '), km: Math.round(r.lengthM / 100) / 10 })) }, 'simulated mappers started');
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(statsTimer);
  mappers?.stop();
  await fleet.stop();
  process.exit(0);
};
process.on('message', (message: { type?: string } | StartMappersMessage) => {
  if (message?.type === 'stop') void stop();
  if (message?.type === 'mappers') startMappers(message as StartMappersMessage);
});
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
// Ctrl-C reaches the whole process group; the parent decides the shutdown order.
process.on('SIGINT', () => {});
