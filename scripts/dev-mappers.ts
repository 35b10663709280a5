import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { readKeySealFile, registerMapperDevice } from '@poc/oracle';
import { encodeWalletAddress, keypairFromSecret, sealDeviceKey, signMapperRegistration } from '@poc/protocol';

/** What the fleet process needs to run one demo mapper: its id, key and its owner's wallet seed (hex). */
export interface DemoMapperDevice {
  deviceId: number;
  deviceKeyHex: string;
  ownerSecretHex: string;
  owner: string;
}

const DEMO_DEVICE_ID_BASE = 0x4d00_0001;

/** The oracle's key-seal secret for the local network (as `mapper-device seal-keygen` makes it: 64 hex digits, 0600). */
export function ensureKeySealFile(path: string): void {
  if (!existsSync(path)) writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * Registers `count` demo mapper devices, each with its own owner wallet, the way an owner and the operator would
 * (oracle/README.md §Mappers): the owner signs a registration carrying the device key sealed to the oracle, the operator
 * stores it. Fresh keys every run; a device re-registered with a new key is re-keyed.
 */
export async function registerDemoMappers(sql: Sql, keySealFile: string, count: number, log: Logger): Promise<DemoMapperDevice[]> {
  const keySeal = readKeySealFile(keySealFile);
  const devices: DemoMapperDevice[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = DEMO_DEVICE_ID_BASE + i;
    const deviceKey = randomBytes(16);
    const ownerSecret = randomBytes(32);
    const wallet = keypairFromSecret(ownerSecret);
    const owner = encodeWalletAddress(wallet.publicKey);
    const registration = signMapperRegistration({ deviceId, owner, sealedKey: sealDeviceKey(deviceKey, deviceId, keySeal.publicKey), issuedAt: Math.floor(Date.now() / 1000) }, wallet.privateKeyObject);
    const outcome = await registerMapperDevice(sql, JSON.stringify(registration), { keySeal });
    if (!outcome.ok) {
      log.warn({ deviceId, reason: outcome.reason, detail: outcome.detail }, 'demo mapper not registered');
      continue;
    }
    devices.push({ deviceId, deviceKeyHex: deviceKey.toString('hex'), ownerSecretHex: ownerSecret.toString('hex'), owner });
  }
  return devices;
}
