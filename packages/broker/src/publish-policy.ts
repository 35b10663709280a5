import { ENTROPY_TOPIC, MAX_REPORT_PAYLOAD_BYTES } from '@poc/protocol';

/** "online" / "offline" (or empty, to clear it) is all a state message holds. */
export const MAX_STATE_PAYLOAD_BYTES = 32;
/** A signed entropy message is ~250 bytes of JSON. */
export const MAX_ENTROPY_PAYLOAD_BYTES = 1024;

export interface PublishShapeRefusal {
  reason: 'retain_refused' | 'payload_too_large';
  detail: string;
}

type TopicKind = 'report' | 'state' | 'entropy';

const kindOf = (topic: string): TopicKind => (topic === ENTROPY_TOPIC ? 'entropy' : topic.endsWith('/state') ? 'state' : 'report');
const LIMITS: Record<TopicKind, number> = { report: MAX_REPORT_PAYLOAD_BYTES, state: MAX_STATE_PAYLOAD_BYTES, entropy: MAX_ENTROPY_PAYLOAD_BYTES };

/**
 * Payload size and retain rules per topic kind, for a topic the ACL already allowed. Only the state topic and the
 * entropy are retained messages; a retained report would sit in the broker's memory for every future subscriber.
 */
export function checkPublishShape(topic: string, payloadBytes: number, retain: boolean): PublishShapeRefusal | null {
  const kind = kindOf(topic);
  if (retain && kind === 'report') return { reason: 'retain_refused', detail: 'reports are never retained; only state and entropy are' };
  if (payloadBytes > LIMITS[kind]) return { reason: 'payload_too_large', detail: `${payloadBytes} bytes > ${LIMITS[kind]} for ${kind}` };
  return null;
}
