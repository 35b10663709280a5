import type { Outcome, RawMessage } from './verify-batch';

/** A chunk of messages as the worker receives it: topics, and every payload back to back in one transferred buffer. */
export interface PackedMessages {
  topics: string[];
  payloads: Uint8Array;
  /** End offset of each payload in `payloads`. */
  ends: Uint32Array;
}

/**
 * Copies a chunk's payloads into one buffer, moved to the worker instead of cloned. mqtt.js hands payloads over as
 * views into its socket reads, so cloning them would copy each whole 64 KB read once per worker, and allocate it there.
 */
export function packMessages(items: readonly RawMessage[]): { packed: PackedMessages; transfer: ArrayBuffer[] } {
  const ends = new Uint32Array(items.length);
  let size = 0;
  items.forEach((m, i) => (ends[i] = size += m.payload.byteLength));
  const payloads = new Uint8Array(size);
  items.forEach((m, i) => payloads.set(m.payload, ends[i]! - m.payload.byteLength));
  return { packed: { topics: items.map((m) => m.topic), payloads, ends }, transfer: [payloads.buffer, ends.buffer] };
}

export function unpackMessages({ topics, payloads, ends }: PackedMessages): RawMessage[] {
  return topics.map((topic, i) => ({ topic, payload: payloads.subarray(i === 0 ? 0 : ends[i - 1], ends[i]) }));
}

/**
 * Moves the byte fields of accepted reports (data, signature, entropy) into one buffer, transferred back: the main
 * thread then receives views into one allocation per chunk instead of two to four buffers per report.
 */
export function packOutcomes(outcomes: Outcome[]): { outcomes: Outcome[]; transfer: ArrayBuffer[] } {
  const fields: { report: Record<string, unknown>; field: string; bytes: Uint8Array }[] = [];
  let size = 0;
  for (const o of outcomes) {
    if (!o.ok) continue;
    for (const [field, value] of Object.entries(o.report)) {
      if (!(value instanceof Uint8Array)) continue;
      fields.push({ report: o.report as unknown as Record<string, unknown>, field, bytes: value });
      size += value.byteLength;
    }
  }
  const pack = new Uint8Array(size);
  let at = 0;
  for (const { report, field, bytes } of fields) {
    pack.set(bytes, at);
    report[field] = pack.subarray(at, (at += bytes.byteLength));
  }
  return { outcomes, transfer: [pack.buffer] };
}
