/**
 * "Your hotspot" in the local network: a real bridge with its own key file, GWMP on UDP (point a real packet
 * forwarder at it) and the local API that the onboarding page in your browser asks for the possession signature,
 * with the pairing code `poc-bridge pair` prints. It is not onboarded: the oracle rejects its reports as unknown
 * until you add it through /onboard.
 */
import { createKeyFile, loadKeyFile } from '@poc/protocol';
import type { Logger } from 'pino';
import { startBridgeNode, type BridgeNode } from '@poc/hotspot-firmware-bridge';
import { existsSync } from 'node:fs';

export async function startOwnHotspot(options: {
  keyPath: string;
  queueDir: string;
  mqttUrl: string;
  oracleAddress: string;
  beaconIntervalSeconds: number;
  udpPort: number;
  apiPort: number;
  /** Browser origins of the onboarding app, which call this bridge's API from the owner's browser. */
  apiAllowedOrigins: string[];
  log: Logger;
}): Promise<{ node: BridgeNode }> {
  const keypair = existsSync(options.keyPath) ? loadKeyFile(options.keyPath) : createKeyFile(options.keyPath);
  const node = await startBridgeNode({
    keypair,
    region: 'EU868',
    antennaGainDdbi: 30,
    mqttUrl: options.mqttUrl,
    oracleAddress: options.oracleAddress,
    queueDir: options.queueDir,
    beaconIntervalSeconds: options.beaconIntervalSeconds,
    udpPort: options.udpPort,
    udpHost: '127.0.0.1',
    apiPort: options.apiPort,
    apiAllowedOrigins: options.apiAllowedOrigins,
    logger: options.log,
  });
  options.log.info({ address: keypair.address, gwmpUdpPort: node.udpPort, api: node.apiUrl }, 'your hotspot is running (not onboarded yet)');
  return { node };
}

/** The origins a browser shows for a map server listening on host:port (a wildcard host is reached as loopback). */
export function onboardingAppOrigins(host: string, port: number): string[] {
  const hosts = ['127.0.0.1', 'localhost', ...(host === '0.0.0.0' || host === '::' ? [] : [host])];
  return [...new Set(hosts.map((h) => `http://${h.includes(':') ? `[${h}]` : h}:${port}`))];
}
