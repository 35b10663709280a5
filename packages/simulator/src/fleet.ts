import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createInProcessLink } from '@poc/hotspot-firmware-bridge';
import { startVirtualUdpForwarder } from '@poc/hotspot-firmware-bridge';
import type { VirtualForwarder } from '@poc/hotspot-firmware-bridge';
import { startBridgeNode, type BridgeNode } from '@poc/hotspot-firmware-bridge';
import type { QueuedReportKind } from '@poc/protocol';
import { SharedMqttConnection } from '@poc/hotspot-firmware-bridge';
import { udpForwarderDialectOptions } from './dialects';
import { RadioMedium, type RadioMediumOptions, type RadioMediumStats } from './medium';
import type { FleetHotspot } from './plan';

export type FleetLink = 'udp' | 'in-process';

export interface StartFleetOptions {
  mqttUrl: string;
  hotspots: FleetHotspot[];
  /** Address of the oracle whose signed entropy the bridges accept. */
  oracleAddress: string;
  /** Each bridge keeps its durable queue in `<dataDir>/<address>`. */
  dataDir: string;
  beaconIntervalSeconds: number;
  /** 'udp' (default up to 200 hotspots): real GWMP over loopback. 'in-process' for large load tests. */
  link?: FleetLink;
  logger?: Logger;
  /** Seeds shadowing and fading (default 'radio'). */
  radioSeed?: string | number;
  radio?: Omit<RadioMediumOptions, 'seed'>;
  /** How long a replay cheater waits before republishing a report it already sent (default 2 beacon intervals). */
  replayDelayMs?: number;
  /** Bridges started at once (default 50). */
  startConcurrency?: number;
  /**
   * Journal durability of every bridge. Default 'fsync' for UDP fleets; 'os-buffered' for in-process fleets, where
   * thousands of bridges share one disk and one event loop (kill -9 safe, not power-cut safe; the fsync path is what
   * the crash tests cover).
   */
  queueDurability?: 'fsync' | 'os-buffered';
  /**
   * 'per-bridge': each bridge has its own MQTT session, clientId and Last Will (default for UDP fleets, as in the field).
   * 'shared': bridges publish over a small pool of connections (default for in-process fleets: thousands of sockets with their own
   * keepalives would saturate one event loop before the bridges do). Queues, in-flight windows and topics stay per bridge.
   */
  mqttConnections?: 'per-bridge' | 'shared';
  /** Service-account credentials for the shared pool on a broker with authentication (per-bridge mode uses hotspot tokens). */
  sharedMqttCredentials?: { username: string; password: string };
  /** Connections in the shared pool (default 16; one per 50 bridges at most); bridges are spread over them. */
  sharedConnectionCount?: number;
}

export interface FleetStats {
  hotspots: number;
  online: number;
  beaconsSent: number;
  beaconsSkipped: number;
  witnessesReported: number;
  duplicatesIgnored: number;
  replaysPublished: number;
  queueDepth: number;
  published: number;
  acknowledged: number;
  droppedReports: number;
  radio: RadioMediumStats;
}

export interface Fleet {
  bridges: BridgeNode[];
  hotspots: FleetHotspot[];
  medium: RadioMedium;
  stats(): FleetStats;
  stop(): Promise<void>;
}

const gatewayEuiFor = (address: string) => createHash('sha256').update(address).digest().subarray(0, 8).toString('hex').toUpperCase();

/** Runs one real bridge (core, durable queue, MQTT) per planned hotspot, all sharing one simulated radio medium. */
export async function startFleet(options: StartFleetOptions): Promise<Fleet> {
  const logger = options.logger ?? pino({ level: 'error' });
  const linkKind: FleetLink = options.link ?? (options.hotspots.length <= 200 ? 'udp' : 'in-process');
  const medium = new RadioMedium({ seed: options.radioSeed ?? 'radio', ...options.radio });
  const replayDelayMs = options.replayDelayMs ?? 2 * options.beaconIntervalSeconds * 1000;
  const bridges: BridgeNode[] = new Array(options.hotspots.length);
  const shareConnections = (options.mqttConnections ?? (linkKind === 'in-process' ? 'shared' : 'per-bridge')) === 'shared';
  const poolSize = shareConnections ? Math.max(1, Math.min(options.sharedConnectionCount ?? 16, Math.ceil(options.hotspots.length / 50))) : 0;
  const fleetId = createHash('sha256').update(options.dataDir).digest('hex').slice(0, 12);
  const sharedPool = Array.from(
    { length: poolSize },
    (_, i) => new SharedMqttConnection({ mqttUrl: options.mqttUrl, clientId: `poc-fleet-${fleetId}-${i}`, logger, maxInflight: 1000, ...options.sharedMqttCredentials }),
  );
  const forwarders: VirtualForwarder[] = [];
  const replayTimers = new Set<NodeJS.Timeout>();
  let replaysPublished = 0;
  let stopping = false;

  const startOne = async (hotspot: FleetHotspot, index: number) => {
    let forwarder: VirtualForwarder | null = null;
    let inProcess: ReturnType<typeof createInProcessLink> | null = null;
    if (linkKind === 'in-process') inProcess = createInProcessLink();
    let node: BridgeNode | null = null;
    const onReport =
      hotspot.cheat === 'replay'
        ? (kind: QueuedReportKind, topic: string, payload: Buffer) => {
            if (kind !== 'witness' || stopping) return;
            // Republish the same validly signed witness later, as a replaying cheater would.
            const timer = setTimeout(() => {
              replayTimers.delete(timer);
              if (stopping || !node) return;
              replaysPublished++;
              void node.publisher.submit(kind, topic, payload);
            }, replayDelayMs);
            timer.unref();
            replayTimers.add(timer);
          }
        : undefined;
    node = await startBridgeNode({
      keypair: hotspot.keypair,
      region: hotspot.region,
      antennaGainDdbi: hotspot.gainDdbi,
      mqttUrl: options.mqttUrl,
      oracleAddress: options.oracleAddress,
      queueDir: join(options.dataDir, hotspot.address),
      beaconIntervalSeconds: options.beaconIntervalSeconds,
      logger: logger.child({ name: hotspot.name }),
      ...(inProcess ? { link: inProcess.link, lowFileDescriptors: true } : { udpPort: 0 }),
      queueDurability: options.queueDurability ?? (inProcess ? 'os-buffered' : 'fsync'),
      ...(onReport ? { onReport } : {}),
      ...(poolSize > 0 ? { sharedMqtt: sharedPool[index % poolSize]! } : {}),
    });
    if (inProcess) forwarder = inProcess.forwarder;
    else {
      const udp = await startVirtualUdpForwarder({
        bridgePort: node.udpPort!,
        gatewayEui: gatewayEuiFor(hotspot.address),
        position: { lat: hotspot.trueLat, lng: hotspot.trueLng, altitudeM: hotspot.elevationM },
        ...udpForwarderDialectOptions(hotspot.dialect),
      });
      await udp.ready;
      forwarder = udp;
    }
    medium.attach(hotspot, forwarder);
    forwarders.push(forwarder);
    bridges[index] = node;
  };

  const concurrency = options.startConcurrency ?? 50;
  for (let i = 0; i < options.hotspots.length; i += concurrency) {
    await Promise.all(options.hotspots.slice(i, i + concurrency).map((h, j) => startOne(h, i + j)));
  }
  logger.info({ hotspots: bridges.length, link: linkKind }, 'fleet started');

  return {
    bridges,
    hotspots: options.hotspots,
    medium,
    stats(): FleetStats {
      const totals = { online: 0, beaconsSent: 0, beaconsSkipped: 0, witnessesReported: 0, duplicatesIgnored: 0, queueDepth: 0, published: 0, acknowledged: 0, droppedReports: 0 };
      for (const node of bridges) {
        if (!node) continue;
        const counters = node.bridge.counters;
        const publisher = node.publisher.stats();
        const queue = node.queue.stats();
        if (publisher.state === 'online') totals.online++;
        totals.beaconsSent += counters.beaconsSent;
        totals.beaconsSkipped += counters.beaconsSkipped;
        totals.witnessesReported += counters.witnessesReported;
        totals.duplicatesIgnored += counters.duplicatesIgnored;
        totals.queueDepth += queue.depth;
        totals.published += publisher.published;
        totals.acknowledged += publisher.acknowledged;
        totals.droppedReports += queue.dropped.beacon + queue.dropped.witness;
      }
      return { hotspots: bridges.length, ...totals, replaysPublished, radio: medium.stats() };
    },
    async stop() {
      stopping = true;
      for (const timer of replayTimers) clearTimeout(timer);
      replayTimers.clear();
      medium.detachAll();
      for (let i = 0; i < bridges.length; i += concurrency) {
        await Promise.all(bridges.slice(i, i + concurrency).map((node) => node?.stop()));
      }
      await Promise.all(forwarders.map((f) => f.close()));
      await Promise.all(sharedPool.map((connection) => connection.end()));
    },
  };
}
