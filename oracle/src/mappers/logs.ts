import { verifyMapperFrameMic, type KeySealKeypair } from '@poc/protocol';
import type { Sql } from 'postgres';
import { loadMapperDevices } from './devices';

/** Wait this long after a logged frame was sent for receipts still queued in bridges (their durable queues) before calling it unheard. */
export const DEFAULT_MAPPER_LOG_GRACE_MS = 600_000;
const DEFAULT_MAX_ENTRIES = 2_000;
const LOGS_LOCK_ID = 7_150_222;

export interface MapperLogVerdicts {
  heard: number;
  noSignal: number;
  invalid: number;
}

interface PendingEntry {
  device_id: string;
  counter: string;
  frame: Buffer;
}

/**
 * Judges logged frames whose grace period has passed (oracle/README.md §Mapper logs): an entry whose MIC does not
 * verify under the device key for its full counter is `invalid` (bad_mic: the owner logged a frame the device did not
 * send); one whose exact bytes some hotspot sent a receipt for is `heard`; the rest are `no_signal`, a measured absence
 * of coverage at the entry's res-9 cell. One judge runs at a time (advisory lock).
 */
export async function processMapperLogs(sql: Sql, o: { keySeal: KeySealKeypair; now?: Date; graceMs?: number; maxEntries?: number }): Promise<MapperLogVerdicts> {
  const cutoff = new Date((o.now ?? new Date()).getTime() - (o.graceMs ?? DEFAULT_MAPPER_LOG_GRACE_MS));
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOGS_LOCK_ID}) AS ok`;
    const verdicts: MapperLogVerdicts = { heard: 0, noSignal: 0, invalid: 0 };
    if (!lock?.ok) return verdicts;
    const pending = await tx<PendingEntry[]>`
      SELECT device_id::text, counter::text, frame FROM mapper_log_entries
      WHERE status = 'pending' AND sent_at <= ${cutoff} ORDER BY sent_at LIMIT ${o.maxEntries ?? DEFAULT_MAX_ENTRIES} FOR UPDATE SKIP LOCKED`;
    if (pending.length === 0) return verdicts;
    // One statement, devices locked in id order like the frame judge's (two oracles wait instead of deadlocking).
    const devices = await loadMapperDevices(tx, pending.map((p) => Number(p.device_id)), o.keySeal);
    const hexes = pending.map((p) => p.frame.toString('hex'));
    const heard = new Set(
      (await tx<{ frame: string }[]>`
        SELECT DISTINCT encode(frame, 'hex') AS frame FROM mapper_receipts
        WHERE frame IN (SELECT decode(x, 'hex') FROM unnest(${hexes}::text[]) AS x)`).map((r) => r.frame),
    );
    const updates: { device_id: string; counter: string; status: string; reason: string | null }[] = [];
    for (const p of pending) {
      const key = devices.get(Number(p.device_id))?.key;
      if (!key || !verifyMapperFrameMic(p.frame, key, Number(p.counter))) {
        updates.push({ device_id: p.device_id, counter: p.counter, status: 'invalid', reason: key ? 'bad_mic' : 'unknown_device' });
        verdicts.invalid++;
      } else if (heard.has(p.frame.toString('hex'))) {
        updates.push({ device_id: p.device_id, counter: p.counter, status: 'heard', reason: null });
        verdicts.heard++;
      } else {
        updates.push({ device_id: p.device_id, counter: p.counter, status: 'no_signal', reason: null });
        verdicts.noSignal++;
      }
    }
    if (updates.length > 0) {
      await tx`
        UPDATE mapper_log_entries e SET status = u.status, reason = u.reason, judged_at = now()
        FROM (SELECT * FROM jsonb_to_recordset(${tx.json(updates as never)}) AS x(device_id bigint, counter bigint, status text, reason text)) u
        WHERE e.device_id = u.device_id AND e.counter = u.counter`;
    }
    return verdicts;
  });
}
