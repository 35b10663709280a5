-- When each hotspot's location check (oracle/src/plausibility/location-schedule.ts, oracle/README.md §Location check)
-- last ran, so a trust refresh re-checks only the hotspots that are due, whichever oracle process ran the last one:
-- never checked, asserted location changed since (lat, lng), a reception received at or after heard_through (all
-- receptions before it had been processed when the check read them), or checked_at older than the recheck interval.
CREATE TABLE hotspot_location_checks (
  hotspot        text PRIMARY KEY,
  checked_at     timestamptz NOT NULL,
  heard_through  timestamptz NOT NULL,
  lat            double precision NOT NULL,
  lng            double precision NOT NULL
);
-- No index besides the key: choosing the due hotspots visits every located one (joined on the key), and the "new
-- reception" test walks witness_reports_hotspot_idx / mapper_receipts_hotspot_idx (hotspot, received_at DESC).
