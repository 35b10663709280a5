import { blake3 } from '@noble/hashes/blake3.js';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeHotspotAddress, heliumKeyBytes, signBytes, verifyBytes } from './keys';
import { ProtoWriter } from './protobuf';

/** How long a beacon or witness may cite an entropy after it was issued (seconds, inclusive). */
export const ENTROPY_LIFESPAN_SECONDS = 180;

export interface EntropyReport {
  data: Uint8Array;
  /** Unix seconds when the oracle issued it. */
  timestamp: bigint;
  version: number;
  /** Address of the oracle key that signed it. */
  oracle_key: string;
  signature: Uint8Array;
}

/** Network entropy as Helium's poc_entropy makes it: blake3(i64le(ts_secs) ‖ chain blockhash). */
export function deriveEntropy(timestampSeconds: bigint, blockhash: Uint8Array): Uint8Array {
  const input = new Uint8Array(8 + blockhash.length);
  new DataView(input.buffer).setBigInt64(0, timestampSeconds, true);
  input.set(blockhash, 8);
  return blake3(input);
}

export function canonicalEntropyBytes(entropy: Omit<EntropyReport, 'signature'>): Uint8Array {
  return new ProtoWriter()
    .bytes(1, entropy.data)
    .uint64(2, entropy.timestamp)
    .uint32(3, entropy.version)
    .bytes(4, heliumKeyBytes(decodeHotspotAddress(entropy.oracle_key)))
    .finish();
}

export function signEntropy(entropy: Omit<EntropyReport, 'signature'>, key: KeyObject): EntropyReport {
  return { ...entropy, signature: signBytes(key, canonicalEntropyBytes(entropy)) };
}

/** True when the entropy is signed by `trustedOracleKey` (an address). */
export function verifyEntropy(entropy: EntropyReport, trustedOracleKey: string): boolean {
  if (entropy.oracle_key !== trustedOracleKey) return false;
  return verifyBytes(decodeHotspotAddress(entropy.oracle_key), canonicalEntropyBytes(entropy), entropy.signature);
}

const entropySchema = z
  .object({
    data: z.base64().transform((s): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))).refine((b) => b.length === 32, 'must be 32 bytes'),
    timestamp: z.string().regex(/^\d{1,19}$/).transform((s) => BigInt(s)),
    version: z.number().int().min(0).max(0xffff_ffff),
    oracle_key: z.string().max(64),
    signature: z.base64().transform((s): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))).refine((b) => b.length === 64, 'must be 64 bytes'),
  })
  .strict();

export function encodeEntropyPayload(entropy: EntropyReport): Buffer {
  return Buffer.from(
    JSON.stringify({
      data: Buffer.from(entropy.data).toString('base64'),
      timestamp: entropy.timestamp.toString(),
      version: entropy.version,
      oracle_key: entropy.oracle_key,
      signature: Buffer.from(entropy.signature).toString('base64'),
    }),
  );
}

export function decodeEntropyPayload(payload: Uint8Array): EntropyReport | null {
  try {
    const parsed = entropySchema.safeParse(JSON.parse(Buffer.from(payload).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
