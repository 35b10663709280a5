-- Denylist (Helium's signed Xor32 filter, here a table mirrored from governance): keys and unordered edges.
CREATE TABLE denylist_keys (
  address   text PRIMARY KEY,
  tag       text NOT NULL DEFAULT '0',
  added_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE denylist_edges (
  a         text NOT NULL,
  b         text NOT NULL,
  tag       text NOT NULL DEFAULT '0',
  PRIMARY KEY (a, b),
  CHECK (a < b)
);

-- Verification outputs. reward_shares = round(hex_scale·10⁴)·round(unit·10⁴)·round(trust·10⁴): an exact integer
-- so an epoch sums the same way every time it is computed.
ALTER TABLE beacon_reports
  ADD COLUMN trust          double precision,
  ADD COLUMN reward_shares  bigint NOT NULL DEFAULT 0,
  ADD COLUMN participant_side text;
ALTER TABLE witness_reports
  ADD COLUMN trust          double precision,
  ADD COLUMN reward_shares  bigint NOT NULL DEFAULT 0,
  ADD COLUMN participant_side text,
  ADD COLUMN rssi_margin    integer;          -- signal − free-space maximum, dBm×10 (negative = plausible)
CREATE INDEX beacon_reports_epoch_idx ON beacon_reports (received_at) WHERE status = 'valid';
CREATE INDEX witness_reports_selected_idx ON witness_reports (beacon_hash) WHERE selected;
CREATE INDEX witness_reports_links_idx ON witness_reports (processed_at) WHERE rssi_margin IS NOT NULL;
CREATE INDEX beacon_reports_remote_entropy_idx ON beacon_reports (remote_entropy) WHERE status = 'pending';

-- Epoch accounting: every base unit of the emission is either paid to a hotspot or recorded here.
ALTER TABLE epochs
  ADD COLUMN beacon_pool     numeric(20,0) NOT NULL DEFAULT 0,
  ADD COLUMN witness_pool    numeric(20,0) NOT NULL DEFAULT 0,
  ADD COLUMN unallocated     numeric(20,0) NOT NULL DEFAULT 0,  -- PoC pool with no shares to pay
  ADD COLUMN non_poc         numeric(20,0) NOT NULL DEFAULT 0,  -- ops + oracle + remaining 6 % (not paid to hotspots)
  ADD COLUMN hotspot_count   integer NOT NULL DEFAULT 0,
  ADD COLUMN leaf_count      integer NOT NULL DEFAULT 0,
  ADD COLUMN submit_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN submitted_at    timestamptz;
ALTER TABLE epoch_rewards
  ADD COLUMN beacon_amount   numeric(20,0) NOT NULL DEFAULT 0,
  ADD COLUMN witness_amount  numeric(20,0) NOT NULL DEFAULT 0;

-- Latest cumulative total per hotspot (the Merkle leaves), maintained with epoch_rewards in the same transaction.
CREATE TABLE reward_totals (
  hotspot     text PRIMARY KEY,
  pubkey      bytea NOT NULL,
  cumulative  numeric(20,0) NOT NULL,
  last_epoch  bigint NOT NULL
);

-- Geospatial plausibility: last trust evaluation per hotspot.
CREATE TABLE hotspot_trust (
  hotspot       text PRIMARY KEY,
  samples       integer NOT NULL,
  implausible   integer NOT NULL,
  median_margin integer,
  trust_score   double precision NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
