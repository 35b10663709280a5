#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { isMain } from '@poc/service';
import pino from 'pino';
import { KeyFileError, createKeyFile, loadKeyFile } from '@poc/protocol';
import { startBridgeNode } from './node';
import { MapperRegisterError, registerMapperDeviceAt } from './mapper-register';
import { MqttPasswordFileError, readMqttPasswordFile } from './static-credentials';
import { REGIONS, decodeHotspotAddress, type Region } from '@poc/protocol';

const USAGE = `poc-bridge — runs beside a LoRa packet forwarder: beacons, witnesses, signs and delivers PoC reports.

Usage:
  poc-bridge keygen [--key FILE]           create a hotspot key (mode 0600; never overwrites) and print its address
  poc-bridge run [options]                 serve the packet forwarder (GWMP/UDP) and deliver reports over MQTT
  poc-bridge status [--api-port N]         show the running bridge's status
  poc-bridge pair [--api-port N]           print a one-time pairing code for the onboarding app (run it on the hotspot)
  poc-bridge mapper-register --device-id N --device-key HEX --owner-keypair FILE --seal-public HEX --mapper-url URL
                                           register a mapper device: sign with the owner's Solana keypair file, seal
                                           the 16-byte device key to the oracle's key-seal public key, POST /v1/mappers

Options for run (environment variable in brackets):
  --key FILE             hotspot key file [POC_KEY_FILE]           default ./hotspot.key
  --mqtt-url URL         broker [POC_MQTT_URL]                     default mqtt://127.0.0.1:1883
  --mqtt-password-file F static-credential mode [POC_MQTT_PASSWORD_FILE]: log in with username = the hotspot
                         address and the password in F (first line, mode 0600, re-read at every reconnect), for a
                         broker with a plain password_file. Default: a short-lived token signed by the hotspot key
  --region R             ${REGIONS.join('|')} [POC_REGION]        default EU868
  --oracle-key ADDR      oracle address whose entropy to trust [POC_ORACLE_KEY]  required
  --udp-port N           GWMP UDP port [POC_UDP_PORT]              default 1680
  --api-port N           local HTTP API port [POC_API_PORT]        default 4468
  --api-host HOST        address the local API listens on [POC_API_HOST]  default 127.0.0.1 (0.0.0.0: reachable on the LAN)
  --api-origin URLS      browser origins allowed to call the API, comma-separated (the onboarding app) [POC_API_ORIGINS]
  --mapper-url URL       mapper API the local API's POST /mappers/register relays owner-signed mapper
                         registrations to [POC_MAPPER_URL]
  --queue-dir DIR        durable report queue [POC_QUEUE_DIR]      default ./poc-bridge-queue
  --gain DDBI            antenna gain in dBi×10 [POC_ANTENNA_GAIN] default 12
  --beacon-interval S    seconds [POC_BEACON_INTERVAL_SECONDS]     default 21600 (6 h)
  --log-level L          pino level [LOG_LEVEL]                    default info
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const options = {
  key: { type: 'string' },
  'mqtt-url': { type: 'string' },
  'mqtt-password-file': { type: 'string' },
  region: { type: 'string' },
  'oracle-key': { type: 'string' },
  'udp-port': { type: 'string' },
  'api-port': { type: 'string' },
  'api-host': { type: 'string' },
  'queue-dir': { type: 'string' },
  'api-origin': { type: 'string' },
  gain: { type: 'string' },
  'beacon-interval': { type: 'string' },
  'log-level': { type: 'string' },
  'device-id': { type: 'string' },
  'device-key': { type: 'string' },
  'owner-keypair': { type: 'string' },
  'seal-public': { type: 'string' },
  'mapper-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got "${value}"`);
  return n;
}

/** Runs one CLI command. Resolves with the exit code; `run` resolves only when the bridge stops. */
export async function runCli(argv: string[], io: CliIo = { out: console.log, err: console.error, env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (command ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const env = io.env;
  const keyPath = resolve(values.key ?? env.POC_KEY_FILE ?? 'hotspot.key');
  try {
    switch (command) {
      case 'keygen': {
        const keypair = createKeyFile(keyPath);
        io.out(`created ${keyPath} (mode 600)`);
        io.out(`hotspot address: ${keypair.address}`);
        return 0;
      }
      case 'status': {
        const port = intOption('api-port', values['api-port'] ?? env.POC_API_PORT, 4468, 1, 65535);
        let response: Response;
        try {
          response = await fetch(`http://127.0.0.1:${port}/status`);
        } catch {
          io.err(`error: no bridge API answering on 127.0.0.1:${port} (is "poc-bridge run" running with --api-port ${port}?)`);
          return 1;
        }
        io.out(JSON.stringify(await response.json(), null, 2));
        return response.ok ? 0 : 1;
      }
      case 'pair': {
        const port = intOption('api-port', values['api-port'] ?? env.POC_API_PORT, 4468, 1, 65535);
        let response: Response;
        try {
          response = await fetch(`http://127.0.0.1:${port}/onboarding/pairing-code`, { method: 'POST' });
        } catch {
          io.err(`error: no bridge API answering on 127.0.0.1:${port} (is "poc-bridge run" running with --api-port ${port}?)`);
          return 1;
        }
        const body = (await response.json()) as { code?: string; expiresAt?: string; hotspot?: string; detail?: string };
        if (!response.ok || !body.code) {
          io.err(`error: the bridge refused: ${body.detail ?? response.status}`);
          return 1;
        }
        io.out(`pairing code: ${body.code}`);
        io.out(`hotspot ${body.hotspot}; valid once, until ${body.expiresAt}. Type it into the onboarding app's "Prove you have it" step.`);
        return 0;
      }
      case 'mapper-register': {
        const missing = (['device-id', 'device-key', 'owner-keypair', 'seal-public', 'mapper-url'] as const).filter((name) => !values[name]);
        if (missing.length > 0) throw new UsageError(`mapper-register needs ${missing.map((m) => `--${m}`).join(', ')}`);
        const deviceIdText = values['device-id']!;
        if (!/^\d{1,10}$/.test(deviceIdText)) throw new UsageError(`--device-id must be an integer 0–4294967295, got "${deviceIdText}"`);
        let answer;
        try {
          answer = await registerMapperDeviceAt({
            deviceId: Number(deviceIdText),
            deviceKeyHex: values['device-key']!,
            ownerKeypairPath: resolve(values['owner-keypair']!),
            sealPublicHex: values['seal-public']!,
            mapperUrl: values['mapper-url']!,
          });
        } catch (error) {
          if (error instanceof MapperRegisterError) {
            io.err(`error: ${error.message}`);
            return 1;
          }
          throw error;
        }
        if (answer.status >= 400) {
          io.err(`error: the mapper API refused (${answer.status}): ${String(answer.body.error)}: ${String(answer.body.message)}`);
          return 1;
        }
        io.out(`${String(answer.body.status)} mapper device ${String(answer.body.device_id)} for ${String(answer.body.owner)}`);
        return 0;
      }
      case 'run': {
        const region = (values.region ?? env.POC_REGION ?? 'EU868').toUpperCase();
        if (!(REGIONS as readonly string[]).includes(region)) throw new UsageError(`--region must be one of ${REGIONS.join(', ')}, got "${region}"`);
        const oracleAddress = values['oracle-key'] ?? env.POC_ORACLE_KEY;
        if (!oracleAddress) throw new UsageError('--oracle-key (or POC_ORACLE_KEY) is required: the address of the oracle whose entropy to trust');
        try {
          decodeHotspotAddress(oracleAddress);
        } catch (error) {
          throw new UsageError(`--oracle-key: ${(error as Error).message}`);
        }
        const passwordFileOption = values['mqtt-password-file'] ?? env.POC_MQTT_PASSWORD_FILE;
        const mqttPasswordFile = passwordFileOption ? resolve(passwordFileOption) : undefined;
        if (mqttPasswordFile) {
          try {
            readMqttPasswordFile(mqttPasswordFile);
          } catch (error) {
            if (error instanceof MqttPasswordFileError) throw new UsageError(`--mqtt-password-file: ${error.message}`);
            throw error;
          }
        }
        const keypair = loadKeyFile(keyPath);
        const logger = pino({ level: values['log-level'] ?? env.LOG_LEVEL ?? 'info' });
        const node = await startBridgeNode({
          keypair,
          region: region as Region,
          antennaGainDdbi: intOption('gain', values.gain ?? env.POC_ANTENNA_GAIN, 12, -100, 300),
          mqttUrl: values['mqtt-url'] ?? env.POC_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
          ...(mqttPasswordFile ? { mqttPasswordFile } : {}),
          oracleAddress,
          queueDir: resolve(values['queue-dir'] ?? env.POC_QUEUE_DIR ?? 'poc-bridge-queue'),
          beaconIntervalSeconds: intOption('beacon-interval', values['beacon-interval'] ?? env.POC_BEACON_INTERVAL_SECONDS, 21_600, 10, 7 * 86_400),
          udpPort: intOption('udp-port', values['udp-port'] ?? env.POC_UDP_PORT, 1680, 0, 65535),
          apiPort: intOption('api-port', values['api-port'] ?? env.POC_API_PORT, 4468, 0, 65535),
          apiHost: values['api-host'] ?? env.POC_API_HOST ?? '127.0.0.1',
          apiAllowedOrigins: (values['api-origin'] ?? env.POC_API_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
          ...((values['mapper-url'] ?? env.POC_MAPPER_URL) ? { mapperApiUrl: values['mapper-url'] ?? env.POC_MAPPER_URL } : {}),
          logger,
        });
        logger.info({ address: keypair.address, region, udpPort: node.udpPort, api: node.apiUrl, queued: node.queue.depth, mqttLogin: mqttPasswordFile ? 'password file' : 'token' }, 'poc-bridge running');
        io.out(`poc-bridge ${keypair.address} running: GWMP on udp/${node.udpPort}, API ${node.apiUrl}`);
        return await new Promise<number>((done) => {
          const shutdown = (signal: string) => {
            logger.info({ signal }, 'stopping');
            void node.stop().then(() => done(0));
          };
          process.once('SIGINT', () => shutdown('SIGINT'));
          process.once('SIGTERM', () => shutdown('SIGTERM'));
        });
      }
      default:
        io.err(`error: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof KeyFileError) {
      io.err(`error: ${error.message}`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

if (isMain(import.meta.url)) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`error: ${error.message}`);
      process.exit(1);
    },
  );
}
