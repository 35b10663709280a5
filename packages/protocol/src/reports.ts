import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { DATARATES, datarateToEnum } from './datarate';
import { decodeHotspotAddress, heliumKeyBytes, signBytes, verifyBytes } from './keys';
import { ProtoWriter } from './protobuf';

/** Largest MQTT payload a report may have; anything bigger is rejected before parsing. */
export const MAX_REPORT_PAYLOAD_BYTES = 4096;

/** Shared by every report schema (also mapper-receipt.ts). */
export const base64Bytes = (min: number, max = min) =>
  z
    .base64()
    .transform((s): Uint8Array => new Uint8Array(Buffer.from(s, 'base64')))
    .refine((b) => b.length >= min && b.length <= max, {
      message: min === max ? `must decode to ${min} bytes` : `must decode to ${min}–${max} bytes`,
    });

export const hotspotAddress = z.string().max(64).transform((address, ctx) => {
  try {
    decodeHotspotAddress(address);
    return address;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const u64Decimal = z
  .string()
  .regex(/^(0|[1-9]\d{0,19})$/, 'must be a decimal u64 string')
  .transform((s) => BigInt(s))
  .refine((v) => v <= 0xffff_ffff_ffff_ffffn, 'must fit in u64');

export const frequencyHz = z.number().int().min(100_000_000).max(1_100_000_000);
export const int32 = z.number().int().min(-0x8000_0000).max(0x7fff_ffff);
export const uint32 = z.number().int().min(0).max(0xffff_ffff);

export const beaconReportSchema = z
  .object({
    pub_key: hotspotAddress,
    local_entropy: base64Bytes(4),
    remote_entropy: base64Bytes(32),
    data: base64Bytes(1, 255),
    frequency: frequencyHz,
    channel: z.number().int().min(0).max(255),
    datarate: z.enum(DATARATES),
    tx_power: z.number().int().min(-30).max(40),
    timestamp: u64Decimal,
    tmst: uint32,
    signature: base64Bytes(64),
  })
  .strict();

export const witnessReportSchema = z
  .object({
    pub_key: hotspotAddress,
    data: base64Bytes(1, 255),
    timestamp: u64Decimal,
    tmst: uint32,
    signal: int32.min(-2000).max(300),
    snr: int32.min(-500).max(500),
    frequency: frequencyHz,
    datarate: z.enum(DATARATES),
    signature: base64Bytes(64),
  })
  .strict();

export type BeaconReport = z.output<typeof beaconReportSchema>;
export type WitnessReport = z.output<typeof witnessReportSchema>;
export type UnsignedBeaconReport = Omit<BeaconReport, 'signature'>;
export type UnsignedWitnessReport = Omit<WitnessReport, 'signature'>;
export type ReportKind = 'beacon' | 'witness';

/** Canonical bytes: the Helium `lora_beacon_report_req_v1` protobuf with an empty signature. */
export function canonicalBeaconBytes(report: UnsignedBeaconReport): Uint8Array {
  return new ProtoWriter()
    .bytes(2, heliumKeyBytes(decodeHotspotAddress(report.pub_key)))
    .bytes(3, report.local_entropy)
    .bytes(4, report.remote_entropy)
    .bytes(5, report.data)
    .uint64(6, report.frequency)
    .int32(7, report.channel)
    .int32(8, datarateToEnum(report.datarate))
    .int32(9, report.tx_power)
    .uint64(10, report.timestamp)
    .uint32(12, report.tmst)
    .finish();
}

/** Canonical bytes: the Helium `lora_witness_report_req_v1` protobuf with an empty signature. */
export function canonicalWitnessBytes(report: UnsignedWitnessReport): Uint8Array {
  return new ProtoWriter()
    .bytes(2, heliumKeyBytes(decodeHotspotAddress(report.pub_key)))
    .bytes(3, report.data)
    .uint64(4, report.timestamp)
    .uint32(5, report.tmst)
    .sint32(6, report.signal)
    .int32(7, report.snr)
    .uint64(8, report.frequency)
    .int32(10, datarateToEnum(report.datarate))
    .finish();
}

export function signBeaconReport(report: UnsignedBeaconReport, key: KeyObject): BeaconReport {
  return { ...report, signature: signBytes(key, canonicalBeaconBytes(report)) };
}

export function signWitnessReport(report: UnsignedWitnessReport, key: KeyObject): WitnessReport {
  return { ...report, signature: signBytes(key, canonicalWitnessBytes(report)) };
}

export function verifyBeaconReport(report: BeaconReport, canonical = canonicalBeaconBytes(report)): boolean {
  return verifyBytes(decodeHotspotAddress(report.pub_key), canonical, report.signature);
}

export function verifyWitnessReport(report: WitnessReport, canonical = canonicalWitnessBytes(report)): boolean {
  return verifyBytes(decodeHotspotAddress(report.pub_key), canonical, report.signature);
}

/** Identity of a report for deduplication: SHA-256 of its canonical (unsigned) bytes, hex. */
export function reportHash(canonical: Uint8Array): string {
  // node:crypto (OpenSSL) rather than a JavaScript SHA-256: the oracle hashes every report it ingests.
  return createHash('sha256').update(canonical).digest('hex');
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function beaconReportToJson(report: BeaconReport) {
  return {
    pub_key: report.pub_key,
    local_entropy: b64(report.local_entropy),
    remote_entropy: b64(report.remote_entropy),
    data: b64(report.data),
    frequency: report.frequency,
    channel: report.channel,
    datarate: report.datarate,
    tx_power: report.tx_power,
    timestamp: report.timestamp.toString(),
    tmst: report.tmst,
    signature: b64(report.signature),
  };
}

export function witnessReportToJson(report: WitnessReport) {
  return {
    pub_key: report.pub_key,
    data: b64(report.data),
    timestamp: report.timestamp.toString(),
    tmst: report.tmst,
    signal: report.signal,
    snr: report.snr,
    frequency: report.frequency,
    datarate: report.datarate,
    signature: b64(report.signature),
  };
}

export function encodeReportPayload(kind: ReportKind, report: BeaconReport | WitnessReport): Buffer {
  const json = kind === 'beacon' ? beaconReportToJson(report as BeaconReport) : witnessReportToJson(report as WitnessReport);
  return Buffer.from(JSON.stringify(json));
}

export type DecodeRejection = 'payload_too_large' | 'malformed_json' | 'invalid_schema';

export type DecodedReport =
  | { ok: true; kind: 'beacon'; report: BeaconReport; canonical: Uint8Array; hash: string }
  | { ok: true; kind: 'witness'; report: WitnessReport; canonical: Uint8Array; hash: string }
  | { ok: false; reason: DecodeRejection; detail: string };

/** Parses an MQTT payload into a typed report; never throws, every failure carries a reason. */
export function decodeReportPayload(kind: ReportKind, payload: Uint8Array): DecodedReport {
  if (payload.length > MAX_REPORT_PAYLOAD_BYTES) {
    return { ok: false, reason: 'payload_too_large', detail: `${payload.length} bytes > ${MAX_REPORT_PAYLOAD_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
  if (kind === 'beacon') {
    const parsed = beaconReportSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'invalid_schema', detail: z.prettifyError(parsed.error) };
    const canonical = canonicalBeaconBytes(parsed.data);
    return { ok: true, kind, report: parsed.data, canonical, hash: reportHash(canonical) };
  }
  const parsed = witnessReportSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid_schema', detail: z.prettifyError(parsed.error) };
  const canonical = canonicalWitnessBytes(parsed.data);
  return { ok: true, kind, report: parsed.data, canonical, hash: reportHash(canonical) };
}
