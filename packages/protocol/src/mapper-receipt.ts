import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { DATARATES, datarateToEnum } from './datarate';
import { decodeHotspotAddress, heliumKeyBytes, signBytes, verifyBytes } from './keys';
import { isMapperFrame, MAPPER_FRAME_BYTES } from './mapper-frame';
import { ProtoWriter } from './protobuf';
import { MAX_REPORT_PAYLOAD_BYTES, base64Bytes, frequencyHz, hotspotAddress, int32, reportHash, u64Decimal, uint32, type DecodeRejection, type ReportKind } from './reports';

/** What a bridge queues and publishes: PoC reports and mapper receipts. */
export type QueuedReportKind = ReportKind | 'mapper';

/**
 * Field 1 of a receipt's canonical bytes. Beacon and witness reports never carry field 1, so a signed receipt can
 * never be read as either (SPEC.md §Signature domains).
 */
export const MAPPER_RECEIPT_DOMAIN = 1;

export const mapperReceiptSchema = z
  .object({
    pub_key: hotspotAddress,
    frame: base64Bytes(MAPPER_FRAME_BYTES).refine(isMapperFrame, 'is not a mapper frame'),
    timestamp: u64Decimal,
    tmst: uint32,
    signal: int32.min(-2000).max(300),
    snr: int32.min(-500).max(500),
    frequency: frequencyHz,
    gateway_time: u64Decimal,
    datarate: z.enum(DATARATES),
    signature: base64Bytes(64),
  })
  .strict();

/** "Hotspot `pub_key` heard mapper frame `frame` with this radio metadata." */
export type MapperReceipt = z.output<typeof mapperReceiptSchema>;
export type UnsignedMapperReceipt = Omit<MapperReceipt, 'signature'>;

export function canonicalMapperReceiptBytes(r: UnsignedMapperReceipt): Uint8Array {
  return new ProtoWriter()
    .uint32(1, MAPPER_RECEIPT_DOMAIN)
    .bytes(2, heliumKeyBytes(decodeHotspotAddress(r.pub_key)))
    .bytes(3, r.frame)
    .uint64(4, r.timestamp)
    .uint32(5, r.tmst)
    .sint32(6, r.signal)
    .int32(7, r.snr)
    .uint64(8, r.frequency)
    .uint64(9, r.gateway_time)
    .int32(10, datarateToEnum(r.datarate))
    .finish();
}

export function signMapperReceipt(r: UnsignedMapperReceipt, key: KeyObject): MapperReceipt {
  return { ...r, signature: signBytes(key, canonicalMapperReceiptBytes(r)) };
}

export function verifyMapperReceipt(r: MapperReceipt, canonical = canonicalMapperReceiptBytes(r)): boolean {
  return verifyBytes(decodeHotspotAddress(r.pub_key), canonical, r.signature);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function encodeMapperReceiptPayload(r: MapperReceipt): Buffer {
  return Buffer.from(
    JSON.stringify({
      pub_key: r.pub_key,
      frame: b64(r.frame),
      timestamp: r.timestamp.toString(),
      tmst: r.tmst,
      signal: r.signal,
      snr: r.snr,
      frequency: r.frequency,
      gateway_time: r.gateway_time.toString(),
      datarate: r.datarate,
      signature: b64(r.signature),
    }),
  );
}

export type DecodedMapperReceipt =
  | { ok: true; receipt: MapperReceipt; canonical: Uint8Array; hash: string }
  | { ok: false; reason: DecodeRejection; detail: string };

/** Parses an MQTT payload into a receipt; never throws. Checking the signature is the consumer's job. */
export function decodeMapperReceiptPayload(payload: Uint8Array): DecodedMapperReceipt {
  if (payload.length > MAX_REPORT_PAYLOAD_BYTES) return { ok: false, reason: 'payload_too_large', detail: `${payload.length} bytes > ${MAX_REPORT_PAYLOAD_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
  const parsed = mapperReceiptSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid_schema', detail: z.prettifyError(parsed.error) };
  const canonical = canonicalMapperReceiptBytes(parsed.data);
  return { ok: true, receipt: parsed.data, canonical, hash: reportHash(canonical) };
}
