import { AVAILABILITY_PRIOR, AVAILABILITY_PRIOR_HOURS } from '@poc/radio';
import type { Sql } from 'postgres';

/**
 * Each located hotspot's availability — the share of time it is up and forwarding — from its own liveness in the
 * oracle's data: of the last 7 days' 6-hour slots since it was onboarded, the share in which the oracle received a
 * valid beacon or witness report from it, pulled toward @poc/radio's stated prior by one slot (@poc/radio
 * estimateAvailability; oracle/README.md §Estimated coverage). Stored in hotspots.availability, rounded to 0.05.
 */

/** The default beacon interval (hotspot-firmware-bridge/src/cli.ts, 6 h): an up hotspot has a report in every slot. */
export const AVAILABILITY_SLOT_HOURS = 6;
/** 7 days of slots. */
export const AVAILABILITY_WINDOW_SLOTS = (7 * 24) / AVAILABILITY_SLOT_HOURS;
/** Stored availabilities are multiples of 1 / AVAILABILITY_STEPS: a changed value re-estimates the hotspot's tiles. */
export const AVAILABILITY_STEPS = 20;
/** Reports processed this long before the last scan are scanned again: a processing transaction may commit late. */
const SCAN_OVERLAP_MS = 10 * 60_000;

const SLOT_SECONDS = AVAILABILITY_SLOT_HOURS * 3600;
const PRIOR_SLOTS = AVAILABILITY_PRIOR_HOURS / AVAILABILITY_SLOT_HOURS;

export interface AvailabilityRefreshResult {
  /** (hotspot, slot) pairs newly found live. */
  liveSlots: number;
  /** Hotspots whose stored availability changed. */
  updated: number;
}

const slotOf = (ms: number) => Math.floor(ms / 1000 / SLOT_SECONDS);
/** Any constant works; the same for every oracle process (estimated.ts uses another). */
const AVAILABILITY_LOCK_ID = 7_150_191;

/**
 * Scans the reports made valid since the last call (bounded to the window), then recomputes availability — for every
 * located hotspot when a new slot has begun, otherwise only for those that just became live in the current slot and
 * those never computed (newly located).
 * The current slot counts as observed only once the hotspot is live in it (it cannot be missed yet). One oracle
 * refreshes at a time (advisory lock); the others return at once.
 */
export async function refreshHotspotAvailability(sql: Sql, now: Date = new Date()): Promise<AvailabilityRefreshResult> {
  const reserved = await sql.reserve();
  try {
    const [lock] = await reserved<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${AVAILABILITY_LOCK_ID}) AS ok`;
    if (!lock?.ok) return { liveSlots: 0, updated: 0 };
    try {
      return await refreshLocked(sql, now);
    } finally {
      await reserved`SELECT pg_advisory_unlock(${AVAILABILITY_LOCK_ID})`;
    }
  } finally {
    reserved.release();
  }
}

async function refreshLocked(sql: Sql, now: Date): Promise<AvailabilityRefreshResult> {
  const currentSlot = slotOf(now.getTime());
  const firstSlot = currentSlot - AVAILABILITY_WINDOW_SLOTS + 1;
  const windowStart = new Date(firstSlot * SLOT_SECONDS * 1000);
  const [state] = await sql<{ scanned_until: Date; computed_slot: number }[]>`SELECT scanned_until, computed_slot FROM hotspot_availability_state`;
  const from = new Date(Math.max(windowStart.getTime(), (state?.scanned_until.getTime() ?? 0) - SCAN_OVERLAP_MS));

  const live = await sql<{ hotspot: string }[]>`
    INSERT INTO hotspot_live_slots (hotspot, slot)
    SELECT DISTINCT hotspot, floor(extract(epoch FROM received_at) / ${SLOT_SECONDS})::int FROM (
      SELECT hotspot, received_at FROM beacon_reports WHERE status = 'valid' AND processed_at > ${from} AND processed_at <= ${now}
      UNION ALL
      SELECT hotspot, received_at FROM witness_reports WHERE status = 'valid' AND processed_at > ${from} AND processed_at <= ${now}
    ) r
    WHERE received_at >= ${windowStart} AND received_at <= ${now}
    ON CONFLICT DO NOTHING
    RETURNING hotspot`;
  await sql`DELETE FROM hotspot_live_slots WHERE slot < ${firstSlot}`;

  const all = !state || state.computed_slot !== currentSlot;
  const only = [...new Set(live.map((r) => r.hotspot))];
  // observed = complete slots since onboarding (at least those it was live in: onboarded_at is when the registry
  // mirrored it), plus the current slot if live; availability = (live + prior·w) / (observed + w), rounded.
  const result = await sql`
    WITH targets AS (
      SELECT address, onboarded_at FROM hotspots
      WHERE lat IS NOT NULL ${all ? sql`` : sql`AND (address = ANY(${only}::text[]) OR availability IS NULL)`}
    ), counts AS (
      SELECT s.hotspot, count(*) FILTER (WHERE s.slot < ${currentSlot}) AS complete, count(*) FILTER (WHERE s.slot = ${currentSlot}) AS current
      FROM hotspot_live_slots s JOIN targets t ON t.address = s.hotspot WHERE s.slot >= ${firstSlot} GROUP BY s.hotspot
    )
    UPDATE hotspots h SET availability = v.availability FROM (
      SELECT t.address, (round(((coalesce(c.complete, 0) + coalesce(c.current, 0) + ${AVAILABILITY_PRIOR * PRIOR_SLOTS}::float8)
          / (greatest(coalesce(c.complete, 0), ${currentSlot}::int - greatest(${firstSlot}::int, floor(extract(epoch FROM t.onboarded_at) / ${SLOT_SECONDS})::int))
             + coalesce(c.current, 0) + ${PRIOR_SLOTS}::float8))::numeric * ${AVAILABILITY_STEPS}) / ${AVAILABILITY_STEPS})::real AS availability
      FROM targets t LEFT JOIN counts c ON c.hotspot = t.address
    ) v
    WHERE h.address = v.address AND h.availability IS DISTINCT FROM v.availability`;
  const updated = result.count;
  await sql`
    INSERT INTO hotspot_availability_state (singleton, scanned_until, computed_slot) VALUES (true, ${now}, ${currentSlot})
    ON CONFLICT (singleton) DO UPDATE SET scanned_until = EXCLUDED.scanned_until, computed_slot = EXCLUDED.computed_slot`;
  return { liveSlots: live.length, updated };
}
