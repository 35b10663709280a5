import { constants, openSync, readFileSync, statSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { generateHotspotKeypair, keypairFromSecret, type HotspotKeypair } from './keys';

/** Key file: JSON with the raw Ed25519 seed (hex). Only the owner may read it. */
interface KeyFileJson {
  version: 1;
  key_type: 'ed25519';
  secret_key: string;
  address: string;
}

export class KeyFileError extends Error {}

/** Creates a new key file (mode 0600); refuses to overwrite an existing one. */
export function createKeyFile(path: string): HotspotKeypair {
  const keypair = generateHotspotKeypair();
  const body: KeyFileJson = { version: 1, key_type: 'ed25519', secret_key: Buffer.from(keypair.secretKey).toString('hex'), address: keypair.address };
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeyFileError(`refusing to overwrite existing key file ${path} (it may hold a hotspot identity; move it away first)`);
    throw new KeyFileError(`cannot create key file ${path}: ${(error as Error).message}`);
  }
  try {
    writeSync(fd, JSON.stringify(body, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return keypair;
}

/** Loads a key file, refusing one that group or others can read or write. */
export function loadKeyFile(path: string): HotspotKeypair {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyFileError(`key file ${path} does not exist (create one with: poc-bridge keygen --key ${path})`);
    throw new KeyFileError(`cannot read key file ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new KeyFileError(`key file ${path} has unsafe permissions ${octal}: group/others must have no access (run: chmod 600 ${path})`);
  }
  let parsed: Partial<KeyFileJson>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyFileJson>;
  } catch {
    throw new KeyFileError(`key file ${path} is not valid JSON`);
  }
  if (parsed.key_type !== 'ed25519' || typeof parsed.secret_key !== 'string' || !/^[0-9a-f]{64}$/i.test(parsed.secret_key)) {
    throw new KeyFileError(`key file ${path} does not hold an ed25519 secret_key (64 hex digits)`);
  }
  const keypair = keypairFromSecret(Buffer.from(parsed.secret_key, 'hex'));
  if (parsed.address && parsed.address !== keypair.address) {
    throw new KeyFileError(`key file ${path} is inconsistent: its address does not match its secret key`);
  }
  return keypair;
}
