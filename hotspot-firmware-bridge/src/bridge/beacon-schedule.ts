/**
 * Beacon timing as gateway-rs does it: time is cut into interval-aligned segments (from the Unix epoch) and
 * one uniformly random instant inside each segment is the beacon time. Aligning to the oracle's bucket
 * (floor(t / interval)) means one beacon per bucket, so no IrregularInterval rejections.
 */
export function segmentOf(timeMs: number, intervalMs: number): number {
  return Math.floor(timeMs / intervalMs);
}

/**
 * The next beacon time after `nowMs`: a random instant in the current segment if that segment has had no
 * beacon yet and the instant is still ahead, else in the next segment without a beacon.
 */
export function nextBeaconTime(nowMs: number, intervalMs: number, lastBeaconSegment: number | null, random: () => number): number {
  const current = segmentOf(nowMs, intervalMs);
  let segment = lastBeaconSegment !== null && lastBeaconSegment >= current ? lastBeaconSegment + 1 : current;
  for (;;) {
    const start = segment * intervalMs;
    // Keep clear of the segment edges so clock skew and delivery delay do not push a beacon into the next bucket.
    const margin = Math.min(intervalMs * 0.05, 5_000);
    // Whole milliseconds: flooring must not land on or before `nowMs` (a fraction past it is not "ahead").
    const at = Math.floor(start + margin + random() * (intervalMs - 2 * margin));
    if (at > nowMs) return at;
    if (segment === current) {
      // The drawn instant has passed: pick one in what is left of this segment.
      const end = start + intervalMs - margin;
      const earliest = Math.floor(nowMs) + 1;
      if (end - earliest > 0) return Math.floor(earliest + random() * (end - earliest));
    }
    segment++;
  }
}
