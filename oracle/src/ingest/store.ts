import { parseReportTopic } from '@poc/protocol';
import { createHash } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import type { AcceptedReport, Rejection } from './decode';
import { arrayLiteral, byteaElement, textElement, timestampElement } from './pg-array';

/** PostgreSQL text cannot hold NUL; topics and error details come from untrusted input. */
const text = (s: string | null, max: number) => (s === null ? null : s.replaceAll('\u0000', '\\0').slice(0, max));

/** Whole UTC days of rejections kept before today (partitions of older days are dropped, oracle/src/db/partitions.ts). */
export const DEFAULT_REJECTED_MESSAGES_DAYS = 14;

interface RejectedRow {
  topic: string;
  hotspot: string | null;
  reason: string;
  detail: string | null;
  payload: Buffer;
  payload_hash: Buffer;
  count: number;
  received_at: Date;
  last_seen_at: Date;
  /** UTC day of arrival, the partition key (migration 011): repeats are counted per day. */
  received_on: string;
}

/**
 * `rejected_messages` rows for a batch, bounded (topic 512 chars, detail 2,000, payload 8 KiB), one per
 * (UTC day, topic, reason, payload hash) with its copies counted, sorted by that key so concurrent workers lock rows in the
 * same order. The hash covers the whole payload, so payloads that differ only past 8 KiB stay apart.
 */
function rejectedRows(rejections: readonly Rejection[]): RejectedRow[] {
  const rows = new Map<string, RejectedRow>();
  for (const r of rejections) {
    const topic = text(r.topic, 512)!;
    const payloadHash = createHash('sha256').update(r.payload).digest();
    const receivedOn = r.receivedAt.toISOString().slice(0, 10);
    const key = `${receivedOn}\u0000${topic}\u0000${r.reason}\u0000${payloadHash.toString('hex')}`; // text() leaves no NUL in the topic
    const row = rows.get(key);
    if (row) {
      row.count++;
      if (r.receivedAt < row.received_at) row.received_at = r.receivedAt;
      if (r.receivedAt > row.last_seen_at) row.last_seen_at = r.receivedAt;
      continue;
    }
    rows.set(key, {
      topic,
      hotspot: parseReportTopic(topic)?.hotspotAddress ?? null,
      reason: r.reason,
      detail: text(r.detail, 2000),
      payload: r.payload.subarray(0, 8192),
      payload_hash: payloadHash,
      count: 1,
      received_at: r.receivedAt,
      last_seen_at: r.receivedAt,
      received_on: receivedOn,
    });
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** Records rejections; a repeat of a known (day, topic, reason, payload) adds to its count and moves its last_seen_at. */
export async function recordRejections(sql: Sql | TransactionSql, rejections: readonly Rejection[]): Promise<void> {
  const rows = rejectedRows(rejections);
  if (rows.length === 0) return;
  await sql`
    INSERT INTO rejected_messages (topic, hotspot, reason, detail, payload, payload_hash, count, received_at, last_seen_at, received_on)
    SELECT * FROM unnest(${arrayLiteral(rows, (r) => textElement(r.topic))}::text[], ${arrayLiteral(rows, (r) => textElement(r.hotspot))}::text[],
      ${arrayLiteral(rows, (r) => textElement(r.reason))}::text[], ${arrayLiteral(rows, (r) => textElement(r.detail))}::text[],
      ${arrayLiteral(rows, (r) => byteaElement(r.payload))}::bytea[], ${arrayLiteral(rows, (r) => byteaElement(r.payload_hash))}::bytea[],
      ${arrayLiteral(rows, (r) => String(r.count))}::int4[], ${arrayLiteral(rows, (r) => timestampElement(r.received_at))}::timestamptz[],
      ${arrayLiteral(rows, (r) => timestampElement(r.last_seen_at))}::timestamptz[], ${arrayLiteral(rows, (r) => r.received_on)}::date[])
    ON CONFLICT (received_on, topic, reason, payload_hash) DO UPDATE SET count = rejected_messages.count + EXCLUDED.count,
      last_seen_at = greatest(rejected_messages.last_seen_at, EXCLUDED.last_seen_at)`;
}

type Accepted<K extends AcceptedReport['kind']> = Extract<AcceptedReport, { kind: K }>;

/** Inserts beacon reports (one statement over column arrays, see pg-array.ts); returns the hashes it stored. */
async function insertBeacons(tx: TransactionSql, b: readonly Accepted<'beacon'>[]): Promise<{ hash: string }[]> {
  return tx<{ hash: string }[]>`
    INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate, tx_power, tmst, signature)
    SELECT * FROM unnest(${arrayLiteral(b, (a) => textElement(a.hash))}::text[], ${arrayLiteral(b, (a) => textElement(a.report.pub_key))}::text[],
      ${arrayLiteral(b, (a) => timestampElement(a.receivedAt))}::timestamptz[], ${arrayLiteral(b, (a) => a.report.timestamp.toString())}::numeric[],
      ${arrayLiteral(b, (a) => byteaElement(a.report.local_entropy))}::bytea[], ${arrayLiteral(b, (a) => byteaElement(a.report.remote_entropy))}::bytea[],
      ${arrayLiteral(b, (a) => byteaElement(a.report.data))}::bytea[], ${arrayLiteral(b, (a) => String(a.report.frequency))}::int8[],
      ${arrayLiteral(b, (a) => String(a.report.channel))}::int4[], ${arrayLiteral(b, (a) => textElement(a.report.datarate))}::text[],
      ${arrayLiteral(b, (a) => String(a.report.tx_power))}::int4[], ${arrayLiteral(b, (a) => String(a.report.tmst))}::int8[],
      ${arrayLiteral(b, (a) => byteaElement(a.report.signature))}::bytea[])
    ON CONFLICT (hash, report_ts_ns) DO NOTHING RETURNING hash`;
}

/** Inserts witness reports (one statement over column arrays, see pg-array.ts); returns the hashes it stored. */
async function insertWitnesses(tx: TransactionSql, w: readonly Accepted<'witness'>[]): Promise<{ hash: string }[]> {
  return tx<{ hash: string }[]>`
    INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature)
    SELECT * FROM unnest(${arrayLiteral(w, (a) => textElement(a.hash))}::text[], ${arrayLiteral(w, (a) => textElement(a.report.pub_key))}::text[],
      ${arrayLiteral(w, (a) => timestampElement(a.receivedAt))}::timestamptz[], ${arrayLiteral(w, (a) => a.report.timestamp.toString())}::numeric[],
      ${arrayLiteral(w, (a) => byteaElement(a.report.data))}::bytea[], ${arrayLiteral(w, (a) => String(a.report.tmst))}::int8[],
      ${arrayLiteral(w, (a) => String(a.report.signal))}::int4[], ${arrayLiteral(w, (a) => String(a.report.snr))}::int4[],
      ${arrayLiteral(w, (a) => String(a.report.frequency))}::int8[], ${arrayLiteral(w, (a) => textElement(a.report.datarate))}::text[],
      ${arrayLiteral(w, (a) => byteaElement(a.report.signature))}::bytea[])
    ON CONFLICT (hash, report_ts_ns) DO NOTHING RETURNING hash`;
}

/**
 * Writes a batch in one transaction: reports with one insert per table that skips known hashes (a replay or duplicate
 * delivery; the key (hash, report_ts_ns) is as unique as the hash, which covers the timestamp — migration 010), then every rejection — including those duplicates — into rejected_messages. Returns the duplicates.
 */
export async function storeBatch(sql: Sql, accepted: readonly AcceptedReport[], rejected: readonly Rejection[]): Promise<{ stored: number; duplicates: number }> {
  const beacons = accepted.filter((a): a is Accepted<'beacon'> => a.kind === 'beacon');
  const witnesses = accepted.filter((a): a is Accepted<'witness'> => a.kind === 'witness');
  return sql.begin(async (tx) => {
    const storedHashes = new Set<string>();
    if (beacons.length > 0) for (const r of await insertBeacons(tx, beacons)) storedHashes.add(r.hash);
    if (witnesses.length > 0) for (const r of await insertWitnesses(tx, witnesses)) storedHashes.add(r.hash);
    // A hash repeated inside one batch is stored once; every other copy is a duplicate.
    const duplicates: Rejection[] = [];
    const seen = new Set<string>();
    for (const a of accepted) {
      if (storedHashes.has(a.hash) && !seen.has(a.hash)) seen.add(a.hash);
      else duplicates.push({ topic: a.topic, reason: 'duplicate', detail: a.hash, payload: a.payload, receivedAt: a.receivedAt });
    }
    await recordRejections(tx, [...rejected, ...duplicates]);
    return { stored: storedHashes.size, duplicates: duplicates.length };
  });
}

/** Last resort for a batch PostgreSQL refuses: every message becomes a `store_failed` rejection with the error. */
export async function storeUnstorable(sql: Sql, batch: readonly { topic: string; payload: Buffer; receivedAt: Date }[], error: Error): Promise<void> {
  await recordRejections(sql, batch.map((m) => ({ topic: m.topic, reason: 'store_failed', detail: error.message, payload: m.payload, receivedAt: m.receivedAt })));
}
