-- Hotspot availability (oracle/README.md §Estimated coverage, "Availability"): the share of time a hotspot is up and
-- forwarding, from its own liveness — of the last 7 days' 6-hour slots, those in which the oracle received a valid
-- beacon or witness report from it. Estimated coverage weighs each hotspot's link by it (oracle/src/coverage/availability.ts).

-- Slots (index = floor(epoch seconds / 21,600)) in which a hotspot had a valid beacon or witness report, received_at
-- by the oracle's clock. At most 28 rows per hotspot: older slots are deleted at each refresh.
CREATE TABLE hotspot_live_slots (
  hotspot  text NOT NULL,
  slot     integer NOT NULL,
  PRIMARY KEY (hotspot, slot)
);
CREATE INDEX hotspot_live_slots_slot_idx ON hotspot_live_slots (slot);

-- How far the report scan has got (processed_at), and the slot availability was last computed for in full.
CREATE TABLE hotspot_availability_state (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  scanned_until  timestamptz NOT NULL,
  computed_slot  integer NOT NULL
);

-- The estimate read with the location (NULL: never computed, counted as always up), in steps of 0.05 so an hourly
-- drift does not re-estimate every hotspot's tiles.
ALTER TABLE hotspots ADD COLUMN availability real CHECK (availability BETWEEN 0 AND 1);
-- Located hotspots not yet computed: picked up at the next refresh, not only at the next slot.
CREATE INDEX hotspots_availability_unknown_idx ON hotspots (address) WHERE availability IS NULL AND lat IS NOT NULL;

-- What each hotspot's estimated coverage was computed with: a changed availability re-estimates it like a move.
ALTER TABLE estimated_coverage_sources ADD COLUMN availability real NOT NULL DEFAULT 1;

-- The scan of newly valid witness reports (beacons already have beacon_reports_processed_idx).
CREATE INDEX witness_reports_valid_processed_idx ON witness_reports (processed_at) WHERE status = 'valid';
