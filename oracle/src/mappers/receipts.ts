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
  // A second copy of a receipt, or a second receipt of one frame from one hotspot, is a duplicate of the first in the
  // batch; the rest go in one statement, where UNIQUE (frame, hotspot) and the hash key refuse what is stored already.
  const firstOfHash = new Set<string>();
  const firstOfFrameHotspot = new Set<string>();
  const candidates = rows.filter((row) => {
    const frameHotspot = `${row.frame.toString('hex')}|${row.hotspot}`;
    if (firstOfHash.has(row.hash) || firstOfFrameHotspot.has(frameHotspot)) return false;
    firstOfHash.add(row.hash);
    firstOfFrameHotspot.add(frameHotspot);
    return true;
  });
  return sql.begin(async (tx) => {
    const stored = new Set<string>();
    if (candidates.length > 0) {
      const hits = await tx<{ hash: string }[]>`
        INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr,
                                     frequency, datarate, payload)
        SELECT hash, hotspot, topic, received_at, decode(frame, 'hex'), device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency,
               datarate, decode(payload, 'hex')
        FROM unnest(${candidates.map((r) => r.hash)}::text[], ${candidates.map((r) => r.hotspot)}::text[], ${candidates.map((r) => r.topic)}::text[],
                    ${candidates.map((r) => r.received_at.toISOString())}::timestamptz[], ${candidates.map((r) => r.frame.toString('hex'))}::text[],
                    ${candidates.map((r) => r.device_id)}::bigint[], ${candidates.map((r) => r.report_ts_ns)}::numeric[],
                    ${candidates.map((r) => r.gateway_time_ns)}::numeric[], ${candidates.map((r) => r.tmst)}::bigint[],
                    ${candidates.map((r) => r.signal)}::int[], ${candidates.map((r) => r.snr)}::int[], ${candidates.map((r) => r.frequency)}::bigint[],
                    ${candidates.map((r) => r.datarate)}::text[], ${candidates.map((r) => r.payload.toString('hex'))}::text[])
          AS x(hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency, datarate, payload)
        ON CONFLICT DO NOTHING RETURNING hash`;
      for (const hit of hits) stored.add(hit.hash);
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
