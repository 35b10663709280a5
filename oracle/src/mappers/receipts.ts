import { decodeMapperReceiptPayload, parseMapperFrame, parseMapperReceiptTopic, verifyMapperReceipt } from '@poc/protocol';
import type { Sql } from 'postgres';
import type { IncomingMessage, Rejection } from '../ingest/decode';
import { recordRejections } from '../ingest/store';

interface ReceiptInsert {
  hash: string;
  hotspot: string;
  topic: string;
  received_at: Date;
  frame: Buffer;
  device_id: number;
  report_ts_ns: string;
  gateway_time_ns: string;
  tmst: number;
  signal: number;
  snr: number;
  frequency: number;
  datarate: string;
  payload: Buffer;
}

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Stores a batch of mapper receipt messages as pending receipts: decoded, the topic's hotspot equal to `pub_key`, the
 * hotspot's signature checked. Everything else — and a second receipt of one frame from one hotspot — is recorded in
 * rejected_messages with its reason. The frame itself is judged later, with the other hotspots' receipts
 * (processMapperFrames). Returns the receipts stored.
 */
export async function storeMapperReceipts(sql: Sql, messages: readonly IncomingMessage[]): Promise<{ stored: number; rejected: Rejection[] }> {
  const rejected: Rejection[] = [];
  const reject = (m: IncomingMessage, reason: Rejection['reason'], detail: string | null) => rejected.push({ topic: m.topic, reason, detail, payload: m.payload, receivedAt: m.receivedAt });
  const rows: ReceiptInsert[] = [];
  const accepted: IncomingMessage[] = [];
  for (const m of messages) {
    const topic = parseMapperReceiptTopic(m.topic);
    if (!topic) {
      reject(m, 'unknown_topic', null);
      continue;
    }
    const decoded = decodeMapperReceiptPayload(m.payload);
    if (!decoded.ok) {
      reject(m, decoded.reason, decoded.detail);
      continue;
    }
    const r = decoded.receipt;
    if (r.pub_key !== topic.hotspotAddress) {
      reject(m, 'topic_mismatch', `topic names ${topic.hotspotAddress}, receipt is signed for ${r.pub_key}`);
      continue;
    }
    if (!verifyMapperReceipt(r, decoded.canonical)) {
      reject(m, 'bad_signature', 'the hotspot signature does not verify');
      continue;
    }
    accepted.push(m);
    rows.push({
      hash: decoded.hash,
      hotspot: r.pub_key,
      topic: m.topic,
      received_at: m.receivedAt,
      frame: buf(r.frame),
      device_id: parseMapperFrame(r.frame)!.deviceId, // the schema accepted only mapper frames
      report_ts_ns: r.timestamp.toString(),
      gateway_time_ns: r.gateway_time.toString(),
      tmst: r.tmst,
      signal: r.signal,
      snr: r.snr,
      frequency: r.frequency,
      datarate: r.datarate,
      payload: m.payload,
    });
  }
  return sql.begin(async (tx) => {
    const stored = new Set<string>();
    // One row at a time keeps "this hotspot already sent this frame" (UNIQUE (frame, hotspot)) a per-row outcome.
    for (const row of rows) {
      const [hit] = await tx<{ hash: string }[]>`INSERT INTO mapper_receipts ${tx(row)} ON CONFLICT DO NOTHING RETURNING hash`;
      if (hit) stored.add(hit.hash);
    }
    const storedCount = stored.size;
    rows.forEach((row, i) => {
      if (!stored.has(row.hash)) reject(accepted[i]!, 'duplicate_receipt', row.hash);
      else stored.delete(row.hash); // a copy of the same receipt later in the batch is a duplicate too
    });
    await recordRejections(tx, rejected);
    return { stored: storedCount, rejected };
  });
}
