import type { Sql, TransactionSql } from 'postgres';
import type { Evidence } from './collusion';

/**
 * Which hotspots a trust refresh re-runs the location check on (oracle/README.md §Location check). The check costs
 * tens of ms per hotspot, so a refresh takes at most `maxHotspotsPerRefresh`, most overdue first, of those due:
 * never checked; asserted location changed since the check; a reception (a witness report it made or a mapper receipt
 * it sent) received since; or checked longer than `recheckHours` ago (its links age out of the window, disputed
 * beaconers change). The rest keep their previous verdict. State is in hotspot_location_checks, so every oracle
 * process and a restarted one agree on what is due.
 */
export interface LocationSchedule {
  maxHotspotsPerRefresh: number;
  recheckHours: number;
}

export const DEFAULT_LOCATION_SCHEDULE: LocationSchedule = { maxHotspotsPerRefresh: 500, recheckHours: 24 };

export interface LocatedHotspot {
  address: string;
  lat: number;
  lng: number;
  /** Its region ('EU868', …): which estimated site split judges it (site-split.ts); absent, the overall one. */
  region?: string | null;
}

export interface DueLocationChecks {
  hotspots: LocatedHotspot[];
  /**
   * Receptions received before this had all been processed when the due hotspots are read (the oldest still-pending
   * reception, or now), so a reception at or after it is "new" at the next refresh — also one still pending now, whose
   * verdict the check could not read yet. A reception pending longer than the recheck interval waits for the recheck.
   */
  heardThrough: Date;
}

/** The due hotspots, never checked first, then by oldest check; the "new reception" test walks (hotspot, received_at). */
export async function dueLocationChecks(sql: Sql, s: LocationSchedule = DEFAULT_LOCATION_SCHEDULE): Promise<DueLocationChecks> {
  const [mark] = await sql<{ heard_through: Date }[]>`
    SELECT greatest(now() - make_interval(hours => ${s.recheckHours}), least(now(),
      (SELECT min(received_at) FROM witness_reports WHERE status = 'pending'),
      (SELECT min(received_at) FROM mapper_receipts WHERE status = 'pending'))) AS heard_through`;
  const hotspots = await sql<LocatedHotspot[]>`
    SELECT h.address, h.lat, h.lng, h.region
    FROM hotspots h LEFT JOIN hotspot_location_checks c ON c.hotspot = h.address
    WHERE h.lat IS NOT NULL AND h.lng IS NOT NULL AND (
      c.hotspot IS NULL OR c.lat <> h.lat OR c.lng <> h.lng OR c.checked_at < now() - make_interval(hours => ${s.recheckHours})
      OR EXISTS (SELECT 1 FROM witness_reports w WHERE w.hotspot = h.address AND w.received_at >= c.heard_through)
      OR EXISTS (SELECT 1 FROM mapper_receipts r WHERE r.hotspot = h.address AND r.received_at >= c.heard_through))
    ORDER BY c.checked_at NULLS FIRST, h.address
    LIMIT ${s.maxHotspotsPerRefresh}`;
  return { hotspots, heardThrough: mark!.heard_through };
}

/**
 * The stored location findings of located hotspots not in `checked`: their previous verdict, carried into the flag set
 * the refresh stores (storeCollusionFlags replaces it whole). Read in the trust transaction, after its lock.
 */
export async function keptLocationFlags(tx: TransactionSql, checked: readonly LocatedHotspot[]): Promise<Evidence[]> {
  const rows = await tx<{ hotspot: string; reason: string; detail: Evidence['detail'] }[]>`
    SELECT f.hotspot, f.reason, f.detail FROM hotspot_flags f JOIN hotspots h ON h.address = f.hotspot
    WHERE f.evidence = 'location_mismatch' AND h.lat IS NOT NULL AND h.lng IS NOT NULL
      AND f.hotspot <> ALL(${checked.map((h) => h.address)}::text[])`;
  return rows.map((r) => ({ hotspot: r.hotspot, kind: 'location_mismatch', reason: r.reason, detail: r.detail }));
}

/** Records the checks just stored (in the trust transaction, with their findings). */
export async function recordLocationChecks(tx: TransactionSql, due: DueLocationChecks): Promise<void> {
  if (due.hotspots.length === 0) return;
  await tx`
    INSERT INTO hotspot_location_checks (hotspot, checked_at, heard_through, lat, lng)
    SELECT h, now(), ${due.heardThrough}, la, ln
    FROM unnest(${due.hotspots.map((h) => h.address)}::text[], ${due.hotspots.map((h) => h.lat)}::float8[], ${due.hotspots.map((h) => h.lng)}::float8[]) AS u(h, la, ln)
    ON CONFLICT (hotspot) DO UPDATE SET checked_at = now(), heard_through = EXCLUDED.heard_through, lat = EXCLUDED.lat, lng = EXCLUDED.lng`;
}
