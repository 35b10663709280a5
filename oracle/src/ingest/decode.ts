import {
  decodeHotspotAddress,
  decodeReportPayload,
  parseReportTopic,
  type BeaconReport,
  type WitnessReport,
} from '@poc/hotspot-firmware-bridge/wire';
import type { IngestRejection } from '../verify/reasons';
import type { SignatureJob, SignatureVerifierPool } from './signature-pool';

const keyCache = new Map<string, Uint8Array>();
/** b58check decoding hashes twice; hotspots report again and again, so remember their keys. */
function publicKeyOf(address: string): Uint8Array {
  let key = keyCache.get(address);
  if (!key) {
    if (keyCache.size >= 1_000_000) keyCache.clear();
    key = decodeHotspotAddress(address);
    keyCache.set(address, key);
  }
  return key;
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

export type AcceptedReport =
  | { kind: 'beacon'; hash: string; report: BeaconReport; receivedAt: Date; payload: Buffer; topic: string }
  | { kind: 'witness'; hash: string; report: WitnessReport; receivedAt: Date; payload: Buffer; topic: string };

export interface Rejection {
  topic: string;
  reason: IngestRejection;
  detail: string | null;
  payload: Buffer;
  receivedAt: Date;
}

/**
 * Turns raw MQTT messages into signed, schema-valid reports: topic shape, payload schema, the topic's hotspot equal
 * to the report's pub_key, and the Ed25519 signature over Helium's canonical bytes. Everything else is a rejection.
 */
export async function decodeAndVerify(messages: readonly IncomingMessage[], pool: SignatureVerifierPool): Promise<{ accepted: AcceptedReport[]; rejected: Rejection[] }> {
  const rejected: Rejection[] = [];
  const candidates: AcceptedReport[] = [];
  const jobs: SignatureJob[] = [];
  for (const m of messages) {
    const reject = (reason: IngestRejection, detail: string | null) => rejected.push({ topic: m.topic, reason, detail, payload: m.payload, receivedAt: m.receivedAt });
    const topic = parseReportTopic(m.topic);
    if (!topic) {
      reject('unknown_topic', null);
      continue;
    }
    const decoded = decodeReportPayload(topic.kind, m.payload);
    if (!decoded.ok) {
      reject(decoded.reason, decoded.detail.slice(0, 1000));
      continue;
    }
    if (decoded.report.pub_key !== topic.hotspotAddress) {
      reject('topic_mismatch', `topic hotspot ${topic.hotspotAddress.slice(0, 64)} ≠ pub_key ${decoded.report.pub_key}`);
      continue;
    }
    jobs.push({ publicKey: publicKeyOf(decoded.report.pub_key), message: decoded.canonical, signature: decoded.report.signature });
    candidates.push({ kind: decoded.kind, hash: decoded.hash, report: decoded.report, receivedAt: m.receivedAt, payload: m.payload, topic: m.topic } as AcceptedReport);
  }
  const valid = await pool.verify(jobs);
  const accepted: AcceptedReport[] = [];
  candidates.forEach((c, i) => {
    if (valid[i]) accepted.push(c);
    else rejected.push({ topic: c.topic, reason: 'bad_signature', detail: null, payload: c.payload, receivedAt: c.receivedAt });
  });
  return { accepted, rejected };
}
