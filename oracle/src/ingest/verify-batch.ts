import {
  decodeHotspotAddress,
  decodeReportPayload,
  parseReportTopic,
  type BeaconReport,
  type WitnessReport,
} from '@poc/protocol';
import type { IngestRejection } from '../verify/reasons';
import { verifyEd25519Batch, type SignedMessage } from './ed25519';

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
}

export type Outcome =
  | { ok: true; kind: 'beacon'; hash: string; report: BeaconReport }
  | { ok: true; kind: 'witness'; hash: string; report: WitnessReport }
  | { ok: false; reason: IngestRejection; detail: string | null };

/** A message that passed every check but its signature, with what the signature is verified over. */
interface AwaitingSignature {
  accepted: Outcome & { ok: true };
  signed: SignedMessage;
}

/**
 * One message → a schema-valid report awaiting its signature check, or a rejection: topic shape, payload schema and
 * the topic's hotspot equal to the report's pub_key.
 */
function decodeMessage(m: RawMessage): AwaitingSignature | Outcome {
  const topic = parseReportTopic(m.topic);
  if (!topic) return { ok: false, reason: 'unknown_topic', detail: null };
  const decoded = decodeReportPayload(topic.kind, m.payload);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, detail: decoded.detail.slice(0, 1000) };
  if (decoded.report.pub_key !== topic.hotspotAddress) {
    return { ok: false, reason: 'topic_mismatch', detail: `topic hotspot ${topic.hotspotAddress.slice(0, 64)} ≠ pub_key ${decoded.report.pub_key}` };
  }
  return {
    accepted:
      decoded.kind === 'beacon'
        ? { ok: true, kind: 'beacon', hash: decoded.hash, report: decoded.report }
        : { ok: true, kind: 'witness', hash: decoded.hash, report: decoded.report },
    // decodeHotspotAddress keeps a bounded cache of decoded addresses (packages/protocol/src/keys.ts), so a flood of
    // distinct keys costs a b58check decode each, never memory.
    signed: { publicKey: decodeHotspotAddress(decoded.report.pub_key), message: decoded.canonical, signature: decoded.report.signature },
  };
}

/**
 * Messages → signed, schema-valid reports or rejections, in order: each message is decoded and checked (topic,
 * schema, topic/pub_key), then the Ed25519 signatures over Helium's canonical bytes of all that passed are verified
 * in one batch. Runs on worker threads, one call per chunk of a batch.
 */
export function decodeAndVerifyMessages(messages: readonly RawMessage[]): Outcome[] {
  const decoded = messages.map(decodeMessage);
  const awaiting = decoded.filter((d): d is AwaitingSignature => 'signed' in d);
  const verdicts = verifyEd25519Batch(awaiting.map((a) => a.signed));
  let next = 0;
  return decoded.map((d) => {
    if (!('signed' in d)) return d;
    return verdicts[next++] ? d.accepted : { ok: false, reason: 'bad_signature', detail: null };
  });
}
