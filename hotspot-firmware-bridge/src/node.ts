import type { Logger } from 'pino';
import { startBridgeApi } from './api';
import { HotspotBridge } from './bridge/bridge';
import { ReportPublisher } from './bridge/publisher';
import type { SharedMqttConnection } from './bridge/shared-connection';
import { startGwmpUdpServer, type GwmpUdpServer } from './link/udp-server';
import type { PacketForwarderLink } from './link/types';
import { DurableQueue } from './queue/durable-queue';
import { staticMqttCredentials } from './static-credentials';
import { ENTROPY_TOPIC, stateTopic, type HotspotKeypair, type QueuedReportKind, type Region } from '@poc/protocol';
import { BRIDGE_PUBLISH_PACE, bridgeClientId, hotspotMqttCredentials, type PublishRate } from '@poc/protocol';

export interface BridgeNodeOptions {
  keypair: HotspotKeypair;
  region: Region;
  antennaGainDdbi: number;
  mqttUrl: string;
  /** Other nodes of a clustered broker, tried in turn when the connection drops (ReportPublisherOptions.failoverUrls). */
  mqttFailoverUrls?: string[];
  oracleAddress: string;
  queueDir: string;
  beaconIntervalSeconds: number;
  logger: Logger;
  /** Either an existing link (simulator) or a UDP port to serve GWMP on (1680 like gateway-rs). */
  link?: PacketForwarderLink;
  udpPort?: number;
  udpHost?: string;
  /** Local HTTP API port; omit for none, 0 for any free port. */
  apiPort?: number;
  /** Address the local API listens on (default 127.0.0.1; 0.0.0.0 lets a phone on the LAN reach it). */
  apiHost?: string;
  /** Browser origins allowed to call the local API (the onboarding web app). */
  apiAllowedOrigins?: string[];
  /** Mapper API the local API relays owner-signed mapper registrations to. */
  mapperApiUrl?: string;
  queueLimits?: { maxBytes?: number; maxEntries?: number };
  beaconing?: boolean;
  random?: () => number;
  /** Close the journal between flushes (many bridges in one process). */
  lowFileDescriptors?: boolean;
  /** Journal durability (see DurableQueueOptions.durability); 'fsync' unless a simulation asks otherwise. */
  queueDurability?: 'fsync' | 'os-buffered';
  /** Explicit broker credentials. Without them the bridge logs in with a self-signed hotspot token (wire/mqtt-auth.ts). */
  mqttUsername?: string;
  mqttPassword?: string;
  /** Set false to connect without any credentials. */
  mqttHotspotToken?: boolean;
  /**
   * Static-credential mode (plain mosquitto password_file): username = the hotspot address, password = this file's
   * first line, re-read at every (re)connect. Replaces the token; see static-credentials.ts.
   */
  mqttPasswordFile?: string;
  /** Publish over a connection shared with other bridges in this process (load tests) instead of an own one. */
  sharedMqtt?: SharedMqttConnection;
  /** MQTT protocol level (default 4 = 3.1.1; 5 for brokers that speak it). */
  mqttProtocolVersion?: 4 | 5;
  /** Report publishes per burst and second (default BRIDGE_PUBLISH_PACE, under the broker's per-hotspot limit); null = unpaced. */
  publishPace?: PublishRate | null;
  /** Observes every signed report as it is queued (simulator: replay cheaters keep a copy). */
  onReport?: (kind: QueuedReportKind, topic: string, payload: Buffer) => void;
}

export interface BridgeNode {
  bridge: HotspotBridge;
  publisher: ReportPublisher;
  queue: DurableQueue;
  link: PacketForwarderLink;
  udpPort: number | null;
  apiUrl: string | null;
  /** Graceful: retained "offline", flush the queue, close sockets. */
  stop(): Promise<void>;
}

/** Wires one hotspot: forwarder link → bridge core → durable queue → MQTT, plus the local API. */
export async function startBridgeNode(options: BridgeNodeOptions): Promise<BridgeNode> {
  const logger = options.logger.child({ hotspot: options.keypair.address });
  // Read before anything is opened: a bad password file fails the start with nothing left behind.
  const staticCredentials = options.mqttPasswordFile ? staticMqttCredentials(options.keypair.address, options.mqttPasswordFile, logger) : null;
  const queue = DurableQueue.open({
    dir: options.queueDir,
    logger,
    ...options.queueLimits,
    ...(options.lowFileDescriptors ? { keepFileOpen: false } : {}),
    ...(options.queueDurability ? { durability: options.queueDurability } : {}),
  });
  let udp: GwmpUdpServer | null = null;
  let link = options.link;
  if (!link) {
    udp = await startGwmpUdpServer({ port: options.udpPort ?? 1680, ...(options.udpHost ? { host: options.udpHost } : {}), logger });
    link = udp;
  }
  let bridge: HotspotBridge | null = null;
  const publisher = new ReportPublisher({
    mqttUrl: options.mqttUrl,
    ...(options.mqttFailoverUrls?.length ? { failoverUrls: options.mqttFailoverUrls } : {}),
    clientId: bridgeClientId(options.keypair.address),
    stateTopic: stateTopic(options.region, options.keypair.address),
    queue,
    logger,
    subscriptions: [{ topic: ENTROPY_TOPIC, onMessage: (payload) => bridge?.handleEntropyMessage(payload) }],
    ...(options.mqttUsername ? { username: options.mqttUsername } : {}),
    ...(options.mqttPassword ? { password: options.mqttPassword } : {}),
    ...(staticCredentials
      ? { credentials: staticCredentials }
      : !options.mqttUsername && options.mqttHotspotToken !== false
      ? {
          credentials: () => {
            const { username, password } = hotspotMqttCredentials(options.keypair, options.region);
            return { username, password };
          },
        }
      : {}),
    ...(options.mqttProtocolVersion ? { protocolVersion: options.mqttProtocolVersion } : {}),
    ...(options.sharedMqtt ? { shared: options.sharedMqtt } : {}),
    ...(options.publishPace !== null ? { pace: options.publishPace ?? BRIDGE_PUBLISH_PACE } : {}),
  });
  bridge = new HotspotBridge({
    keypair: options.keypair,
    region: options.region,
    antennaGainDdbi: options.antennaGainDdbi,
    link,
    sink: options.onReport
      ? {
          submit: (kind, topic, payload) => {
            options.onReport!(kind, topic, payload);
            return publisher.submit(kind, topic, payload);
          },
        }
      : publisher,
    oracleAddress: options.oracleAddress,
    beaconIntervalSeconds: options.beaconIntervalSeconds,
    logger,
    ...(options.beaconing === false ? { beaconing: false } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  publisher.start();
  bridge.start();
  const api =
    options.apiPort === undefined ? null : await startBridgeApi({
          bridge,
          publisher,
          queue,
          keypair: options.keypair,
          port: options.apiPort,
          ...(options.apiHost ? { host: options.apiHost } : {}),
          ...(options.apiAllowedOrigins ? { allowedOrigins: options.apiAllowedOrigins } : {}),
          ...(options.mapperApiUrl ? { mapperApiUrl: options.mapperApiUrl } : {}),
        });
  const theBridge = bridge;
  const theLink = link;
  return {
    bridge: theBridge,
    publisher,
    queue,
    link: theLink,
    udpPort: udp?.port ?? null,
    apiUrl: api?.url ?? null,
    async stop() {
      theBridge.stop();
      await api?.app.close();
      await publisher.stop();
      await theLink.close();
      queue.close();
    },
  };
}
