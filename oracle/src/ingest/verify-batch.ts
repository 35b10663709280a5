import {
  decodeHotspotAddress,
  decodeReportPayload,
  parseReportTopic,
  type BeaconReport,
  type WitnessReport,
} from '@poc/protocol';
import type { IngestRejection } from '../verify/reasons';
import { verifyEd25519 } from './ed25519';

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
}

export type Outcome =
  | { ok: true; kind: 'beacon'; hash: string; report: BeaconReport }
  | { ok: true; kind: 'witness'; hash: string; report: WitnessReport }
  | { ok: false; reason: IngestRejection; detail: string | null };

/**
 * One message → a signed, schema-valid report or a rejection: topic shape, payload schema, the topic's hotspot
 * equal to the report's pub_key, and the Ed25519 signature over Helium's canonical bytes. Runs on worker threads.
 */
export function decodeAndVerifyMessage(m: RawMessage): Outcome {
  const topic = parseReportTopic(m.topic);
  if (!topic) return { ok: false, reason: 'unknown_topic', detail: null };
  const decoded = decodeReportPayload(topic.kind, m.payload);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, detail: decoded.detail.slice(0, 1000) };
  if (decoded.report.pub_key !== topic.hotspotAddress) {
    return { ok: false, reason: 'topic_mismatch', detail: `topic hotspot ${topic.hotspotAddress.slice(0, 64)} ≠ pub_key ${decoded.report.pub_key}` };
  }
  // decodeHotspotAddress keeps a bounded cache of decoded addresses (packages/protocol/src/keys.ts), so a flood of
  // distinct keys costs a b58check decode each, never memory.
  if (!verifyEd25519(decodeHotspotAddress(decoded.report.pub_key), decoded.canonical, decoded.report.signature)) {
    return { ok: false, reason: 'bad_signature', detail: null };
  }
  return decoded.kind === 'beacon'
    ? { ok: true, kind: 'beacon', hash: decoded.hash, report: decoded.report }
    : { ok: true, kind: 'witness', hash: decoded.hash, report: decoded.report };
}
