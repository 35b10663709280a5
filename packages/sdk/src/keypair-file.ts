import { readFileSync } from 'node:fs';
import { Keypair } from '@solana/web3.js';

/** A Solana keypair file as `solana-keygen new` writes it: a JSON array of the 64 secret-key bytes. */
export function readKeypairFile(path: string): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the Solana keypair file ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new Error(`${path} is not a Solana keypair file (a JSON array of 64 bytes)`);
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}
