import { MAPPER_COORDINATE_SCALE, parseMapperFrame, type MapperLogUpload } from '@poc/protocol';

/** Why an upload or one of its entries was refused (mapper/README.md §Mapper logs). */
export type LogRefusal =
  | 'invalid_request'
  | 'unknown_device'
  | 'device_mismatch' // the body names another device than the URL
  | 'not_owner' // signed by a wallet that does not own the device
  | 'bad_signature'
  | 'stale_upload'
  | 'upload_from_the_future'
  // entries
  | 'frame_malformed'
  | 'frame_device_mismatch' // the frame's DevAddr is another device's
  | 'counter_mismatch' // the frame carries other low 16 bits than the entry's counter
  | 'counter_not_increasing'
  | 'time_not_increasing'
  | 'sent_in_future'
  | 'too_old'
  | 'conflicts_received_frame' // hotspots heard this counter with other bytes: the entry was altered
  | 'time_inconsistent_with_received'; // hotspots heard it (or a later counter) before the entry says it was sent

export interface EntryRefusal {
  index: number;
  counter: number;
  reason: LogRefusal;
  detail: string;
}

/** A frame of the device that hotspots heard and whose MIC the oracle verified (mapper_frames.counter not null). */
export interface ReceivedFrame {
  counter: number;
  frame: Uint8Array;
  firstReceivedAt: Date;
}

export const UPLOAD_MAX_AGE_S = 600;
export const ENTRY_MAX_AGE_MS = 7 * 86_400_000;
/** GNSS time on the device vs. the oracle's receive clock. */
export const CLOCK_SKEW_MS = 60_000;

export interface CheckedEntry {
  counter: number;
  sentAt: Date;
  frame: Uint8Array;
  lat: number;
  lng: number;
}

/** Upload-level freshness; null when fine. */
export function uploadTimeRefusal(uploadedAt: number, nowMs: number): { reason: LogRefusal; detail: string } | null {
  const now = Math.floor(nowMs / 1000);
  if (uploadedAt < now - UPLOAD_MAX_AGE_S) return { reason: 'stale_upload', detail: `signed ${now - uploadedAt} s ago (limit ${UPLOAD_MAX_AGE_S} s)` };
  if (uploadedAt > now + UPLOAD_MAX_AGE_S) return { reason: 'upload_from_the_future', detail: `uploaded_at is ${uploadedAt - now} s ahead` };
  return null;
}

/**
 * Checks each entry on its own (frame shape, device, counter bits, time bounds), against its predecessor in the log
 * (counters strictly increasing, send times non-decreasing) and against what hotspots received from the device: a
 * received frame with the entry's counter must have the entry's exact bytes, and no frame with this or a later counter
 * may have been received before the entry says it was sent. Returns the refused entries, or the accepted ones.
 */
export function checkLogEntries(
  upload: MapperLogUpload,
  received: readonly ReceivedFrame[],
  nowMs: number,
): { ok: true; entries: CheckedEntry[] } | { ok: false; refusals: EntryRefusal[] } {
  const refusals: EntryRefusal[] = [];
  const entries: CheckedEntry[] = [];
  const byCounter = new Map(received.map((r) => [r.counter, r]));
  // earliest receive time among received frames with counter ≥ c, by sorted counter (suffix minimum)
  const sorted = [...received].sort((a, b) => a.counter - b.counter);
  const suffixMin: number[] = new Array<number>(sorted.length);
  for (let i = sorted.length - 1, min = Infinity; i >= 0; i--) suffixMin[i] = min = Math.min(min, sorted[i]!.firstReceivedAt.getTime());
  const earliestFrom = (counter: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.counter < counter) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length ? suffixMin[lo]! : Infinity;
  };

  upload.entries.forEach((e, index) => {
    const refuse = (reason: LogRefusal, detail: string) => refusals.push({ index, counter: e.counter, reason, detail });
    const parsed = parseMapperFrame(e.frame);
    if (!parsed) return refuse('frame_malformed', 'not a mapper frame');
    if (parsed.deviceId !== upload.device_id) return refuse('frame_device_mismatch', `frame of device ${parsed.deviceId}`);
    if (parsed.counterLow16 !== (e.counter & 0xffff)) return refuse('counter_mismatch', `frame carries counter bits ${parsed.counterLow16}, entry says ${e.counter}`);
    const previous = upload.entries[index - 1];
    if (previous && e.counter <= previous.counter) return refuse('counter_not_increasing', `after counter ${previous.counter}`);
    if (previous && e.sent_at_ms < previous.sent_at_ms) return refuse('time_not_increasing', `sent ${previous.sent_at_ms - e.sent_at_ms} ms before the previous entry`);
    if (e.sent_at_ms > nowMs + CLOCK_SKEW_MS) return refuse('sent_in_future', `${e.sent_at_ms - nowMs} ms ahead`);
    if (e.sent_at_ms < nowMs - ENTRY_MAX_AGE_MS) return refuse('too_old', 'sent more than 7 days ago');
    const heard = byCounter.get(e.counter);
    if (heard && !Buffer.from(heard.frame).equals(Buffer.from(e.frame))) return refuse('conflicts_received_frame', 'hotspots heard this counter with other bytes (position or fix changed)');
    const earliest = earliestFrom(e.counter);
    if (earliest < e.sent_at_ms - CLOCK_SKEW_MS) {
      return refuse('time_inconsistent_with_received', `a frame with this or a later counter was received ${Math.round((e.sent_at_ms - earliest) / 1000)} s before this entry's send time`);
    }
    entries.push({ counter: e.counter, sentAt: new Date(e.sent_at_ms), frame: e.frame, lat: parsed.latE7 / MAPPER_COORDINATE_SCALE, lng: parsed.lngE7 / MAPPER_COORDINATE_SCALE });
  });
  return refusals.length > 0 ? { ok: false, refusals } : { ok: true, entries };
}
