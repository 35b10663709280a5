/**
 * The simulated fleet in its own process, so 200+ bridges and their radio medium don't share an event
 * loop (and a core) with the oracle — as in the field, where hotspots are separate machines.
 * Started by start-network.ts with fork(); takes its options as JSON in argv[2]; reports stats over IPC.
 */
import { createLogger } from '@poc/service';
import { planFleet, startFleet, type PlanFleetOptions } from '@poc/simulator';

export interface FleetProcessOptions {
  plan: PlanFleetOptions;
  mqttUrl: string;
  oracleAddress: string;
  dataDir: string;
  beaconIntervalSeconds: number;
  radioSeed: number;
  logLevel: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FleetProcessOptions;
const logger = createLogger({ level: options.logLevel }).child({ component: 'fleet' });
const fleet = await startFleet({
  mqttUrl: options.mqttUrl,
  hotspots: planFleet(options.plan),
  oracleAddress: options.oracleAddress,
  dataDir: options.dataDir,
  beaconIntervalSeconds: options.beaconIntervalSeconds,
  radioSeed: options.radioSeed,
  logger,
});
process.send?.({ type: 'started' });
const statsTimer = setInterval(() => process.send?.({ type: 'stats', stats: fleet.stats() }), 5_000);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(statsTimer);
  await fleet.stop();
  process.exit(0);
};
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
// Ctrl-C reaches the whole process group; the parent decides the shutdown order.
process.on('SIGINT', () => {});
