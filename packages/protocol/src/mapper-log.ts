import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { signBytes, verifyBytes } from './keys';
import { MAPPER_FRAME_BYTES } from './mapper-frame';
import { decodeSolanaKey } from './onboarding';

/**
 * A mapper's own log of the frames it sent (SPEC.md §Mapper logs), uploaded over HTTPS so frames no hotspot heard
 * become measured "no signal". Each entry carries the frame exactly as sent (its MIC is the device key's proof,
 * checked by the oracle, which alone holds the key) with the full counter and the send time; the owner's wallet signs
 * the whole upload.
 */
export const MAPPER_LOG_DOMAIN = 'poc-network:mapper-log:v1';
/** Entries per upload: a device sending every 10 s uploads ~80 minutes of driving at once. */
export const MAPPER_LOG_MAX_ENTRIES = 500;
/** The JSON body bound the mapper API enforces before parsing (500 entries ≈ 45 KiB). */
export const MAPPER_LOG_MAX_BODY_BYTES = 64 * 1024;

export interface MapperLogEntry {
  /** Full 32-bit frame counter. */
  counter: number;
  /** When the device sent the frame, Unix ms (its GNSS time). */
  sentAtMs: number;
  /** The 22-byte frame as sent. */
  frame: Uint8Array;
}

export interface MapperLogFields {
  deviceId: number;
  /** Owner wallet, base58 (the registered owner of the device). */
  owner: string;
  /** Unix seconds; the API refuses uploads signed long ago or in the future. */
  uploadedAt: number;
  entries: MapperLogEntry[];
}

/** utf8(domain) ‖ u32le(device id) ‖ owner (32) ‖ i64le(uploaded at) ‖ u32le(count) ‖ per entry u32le(counter) ‖ i64le(sent at ms) ‖ frame (22). */
export function mapperLogMessage(log: MapperLogFields): Uint8Array {
  const head = Buffer.alloc(4 + 32 + 8 + 4);
  head.writeUInt32LE(log.deviceId >>> 0, 0);
  head.set(decodeSolanaKey('owner', log.owner), 4);
  head.writeBigInt64LE(BigInt(log.uploadedAt), 36);
  head.writeUInt32LE(log.entries.length, 44);
  const body = Buffer.alloc(log.entries.length * (4 + 8 + MAPPER_FRAME_BYTES));
  log.entries.forEach((e, i) => {
    const at = i * (4 + 8 + MAPPER_FRAME_BYTES);
    body.writeUInt32LE(e.counter >>> 0, at);
    body.writeBigInt64LE(BigInt(e.sentAtMs), at + 4);
    body.set(e.frame.subarray(0, MAPPER_FRAME_BYTES), at + 12);
  });
  return new Uint8Array(Buffer.concat([Buffer.from(MAPPER_LOG_DOMAIN, 'utf8'), head, body]));
}

const frameHex = z
  .string()
  .regex(/^[0-9a-f]+$/i, 'must be hex')
  .length(MAPPER_FRAME_BYTES * 2)
  .transform((s) => new Uint8Array(Buffer.from(s, 'hex')));

export const mapperLogSchema = z
  .object({
    device_id: z.number().int().min(0).max(0xffff_ffff),
    owner: z.string().max(64),
    uploaded_at: z.number().int().min(0).max(2 ** 40),
    entries: z
      .array(
        z
          .object({
            counter: z.number().int().min(0).max(0xffff_ffff),
            sent_at_ms: z.number().int().min(0).max(2 ** 50),
            frame: frameHex,
          })
          .strict(),
      )
      .min(1)
      .max(MAPPER_LOG_MAX_ENTRIES),
    signature: z
      .base64()
      .transform((s) => new Uint8Array(Buffer.from(s, 'base64')))
      .refine((b) => b.length === 64, 'must decode to 64 bytes'),
  })
  .strict();

export type MapperLogUpload = z.output<typeof mapperLogSchema>;

export const mapperLogFields = (u: MapperLogUpload): MapperLogFields => ({
  deviceId: u.device_id,
  owner: u.owner,
  uploadedAt: u.uploaded_at,
  entries: u.entries.map((e) => ({ counter: e.counter, sentAtMs: e.sent_at_ms, frame: e.frame })),
});

/** Owner side: the upload JSON, signed with the owner's wallet key. */
export function signMapperLog(log: MapperLogFields, ownerKey: KeyObject) {
  return {
    device_id: log.deviceId,
    owner: log.owner,
    uploaded_at: log.uploadedAt,
    entries: log.entries.map((e) => ({ counter: e.counter, sent_at_ms: e.sentAtMs, frame: Buffer.from(e.frame).toString('hex') })),
    signature: Buffer.from(signBytes(ownerKey, mapperLogMessage(log))).toString('base64'),
  };
}

/** Does the upload's signature verify against `owner` (the device's registered owner, base58)? Never throws. */
export function verifyMapperLog(u: MapperLogUpload, owner: string): boolean {
  try {
    return verifyBytes(decodeSolanaKey('owner', owner), mapperLogMessage({ ...mapperLogFields(u), owner }), u.signature);
  } catch {
    return false;
  }
}
