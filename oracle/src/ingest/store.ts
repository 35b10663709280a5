import type { BeaconReport, WitnessReport } from '@poc/protocol';
import type { Sql } from 'postgres';
import type { AcceptedReport, Rejection } from './decode';

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
/** PostgreSQL text cannot hold NUL; topics and error details come from untrusted input. */
const text = (s: string | null, max: number) => (s === null ? null : s.replaceAll('\u0000', '\\0').slice(0, max));

/** A `rejected_messages` row, bounded: topic 512 chars, detail 2,000, payload 8 KiB. */
const rejectedRow = (r: Rejection) => ({ received_at: r.receivedAt, topic: text(r.topic, 512)!, reason: r.reason, detail: text(r.detail, 2000), payload: r.payload.subarray(0, 8192) });

/**
 * Writes a batch in one transaction: reports with multi-row inserts that skip known hashes (a replay or duplicate
 * delivery), then every rejection — including those duplicates — into rejected_messages. Returns the duplicates.
 */
export async function storeBatch(sql: Sql, accepted: readonly AcceptedReport[], rejected: readonly Rejection[]): Promise<{ stored: number; duplicates: number }> {
  const beacons = accepted.filter((a): a is Extract<AcceptedReport, { kind: 'beacon' }> => a.kind === 'beacon');
  const witnesses = accepted.filter((a): a is Extract<AcceptedReport, { kind: 'witness' }> => a.kind === 'witness');
  return sql.begin(async (tx) => {
    const storedHashes = new Set<string>();
    if (beacons.length > 0) {
      const rows = beacons.map(({ hash, report: r, receivedAt }: { hash: string; report: BeaconReport; receivedAt: Date }) => ({
        hash,
        hotspot: r.pub_key,
        received_at: receivedAt,
        report_ts_ns: r.timestamp.toString(),
        local_entropy: buf(r.local_entropy),
        remote_entropy: buf(r.remote_entropy),
        data: buf(r.data),
        frequency: r.frequency,
        channel: r.channel,
        datarate: r.datarate,
        tx_power: r.tx_power,
        tmst: r.tmst,
        signature: buf(r.signature),
      }));
      for (const r of await tx<{ hash: string }[]>`INSERT INTO beacon_reports ${tx(rows)} ON CONFLICT (hash) DO NOTHING RETURNING hash`) storedHashes.add(r.hash);
    }
    if (witnesses.length > 0) {
      const rows = witnesses.map(({ hash, report: r, receivedAt }: { hash: string; report: WitnessReport; receivedAt: Date }) => ({
        hash,
        hotspot: r.pub_key,
        received_at: receivedAt,
        report_ts_ns: r.timestamp.toString(),
        data: buf(r.data),
        tmst: r.tmst,
        signal: r.signal,
        snr: r.snr,
        frequency: r.frequency,
        datarate: r.datarate,
        signature: buf(r.signature),
      }));
      for (const r of await tx<{ hash: string }[]>`INSERT INTO witness_reports ${tx(rows)} ON CONFLICT (hash) DO NOTHING RETURNING hash`) storedHashes.add(r.hash);
    }
    // A hash repeated inside one batch is stored once; every other copy is a duplicate.
    const duplicates: Rejection[] = [];
    const seen = new Set<string>();
    for (const a of accepted) {
      if (storedHashes.has(a.hash) && !seen.has(a.hash)) seen.add(a.hash);
      else duplicates.push({ topic: a.topic, reason: 'duplicate', detail: a.hash, payload: a.payload, receivedAt: a.receivedAt });
    }
    const all = [...rejected, ...duplicates];
    if (all.length > 0) {
      await tx`INSERT INTO rejected_messages ${tx(all.map(rejectedRow))}`;
    }
    return { stored: storedHashes.size, duplicates: duplicates.length };
  });
}

/** Last resort for a batch PostgreSQL refuses: every message becomes a `store_failed` rejection with the error. */
export async function storeUnstorable(sql: Sql, batch: readonly { topic: string; payload: Buffer; receivedAt: Date }[], error: Error): Promise<void> {
  const rows = batch.map((m) => rejectedRow({ topic: m.topic, reason: 'store_failed', detail: error.message, payload: m.payload, receivedAt: m.receivedAt }));
  await sql`INSERT INTO rejected_messages ${sql(rows)}`;
}
