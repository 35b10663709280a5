import { existsSync, readFileSync, statSync } from 'node:fs';
import { keySealKeypairFromSecret, type KeySealKeypair } from '@poc/protocol';

/** Reads the oracle's key-seal secret file (64 hex digits), refusing one that group or others can read. */
export function readKeySealFile(path: string): KeySealKeypair {
  if (!existsSync(path)) throw new Error(`${path}: no key-seal file (create one with: mapper-device seal-keygen --out ${path})`);
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path}: readable by group or others; chmod 600 ${path}`);
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path}: not 64 lowercase hex digits`);
  return keySealKeypairFromSecret(Buffer.from(hex, 'hex'));
}
