import type { Sql } from 'postgres';
import { latLngToCell } from 'h3-js';
import type { CheckedEntry, EntryRefusal, LogRefusal, ReceivedFrame } from './check';

const COVERAGE_RESOLUTION = 9;
/** Received frames looked at around the log's time span (bounded). */
const RECEIVED_MARGIN_MS = 3_600_000;
const RECEIVED_MAX_ROWS = 5_000;

export async function deviceOwner(sql: Sql, deviceId: number): Promise<string | null> {
  const [row] = await sql<{ owner: string }[]>`SELECT owner FROM mapper_devices WHERE device_id = ${deviceId}`;
  return row?.owner ?? null;
}

/** Frames of the device hotspots heard (MIC verified by the oracle) around [fromMs, toMs]. */
export async function receivedFrames(sql: Sql, deviceId: number, fromMs: number, toMs: number): Promise<ReceivedFrame[]> {
  const rows = await sql<{ counter: string; frame: Buffer; first_received_at: Date }[]>`
    SELECT counter::text, frame, first_received_at FROM mapper_frames
    WHERE device_id = ${deviceId} AND counter IS NOT NULL
      AND first_received_at BETWEEN ${new Date(fromMs - RECEIVED_MARGIN_MS)} AND ${new Date(toMs + RECEIVED_MARGIN_MS)}
    ORDER BY first_received_at LIMIT ${RECEIVED_MAX_ROWS}`;
  return rows.map((r) => ({ counter: Number(r.counter), frame: new Uint8Array(r.frame), firstReceivedAt: r.first_received_at }));
}

export async function recordRefusedUpload(sql: Sql, o: { deviceId: number; client: string; entryCount: number; reason: LogRefusal; detail: EntryRefusal[] | string }): Promise<number> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO mapper_log_uploads (device_id, client, entry_count, status, reason, detail)
    VALUES (${o.deviceId}, ${o.client}, ${o.entryCount}, 'rejected', ${o.reason}, ${sql.json(typeof o.detail === 'string' ? { detail: o.detail } : (o.detail as never))})
    RETURNING id::text`;
  return Number(row!.id);
}

/** Stores an accepted upload; entries whose counter an earlier upload already gave are kept as they were. */
export async function storeAcceptedUpload(sql: Sql, o: { deviceId: number; client: string; entries: CheckedEntry[] }): Promise<{ uploadId: number; stored: number }> {
  return sql.begin(async (tx) => {
    const [upload] = await tx<{ id: string }[]>`
      INSERT INTO mapper_log_uploads (device_id, client, entry_count, status) VALUES (${o.deviceId}, ${o.client}, ${o.entries.length}, 'accepted') RETURNING id::text`;
    const uploadId = Number(upload!.id);
    const rows = o.entries.map((e) => ({
      device_id: o.deviceId,
      counter: e.counter,
      upload_id: uploadId,
      frame: Buffer.from(e.frame),
      sent_at: e.sentAt,
      lat: e.lat,
      lng: e.lng,
      h3: latLngToCell(e.lat, e.lng, COVERAGE_RESOLUTION),
    }));
    const stored = await tx`INSERT INTO mapper_log_entries ${tx(rows)} ON CONFLICT (device_id, counter) DO NOTHING`;
    return { uploadId, stored: stored.count };
  });
}
