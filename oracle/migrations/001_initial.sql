-- Hotspot registry mirrored from the chain (or from the simulator's genesis in a dev network).
CREATE TABLE hotspots (
  address               text PRIMARY KEY,            -- b58check Helium-style key
  pubkey                bytea NOT NULL UNIQUE,       -- raw 32-byte Ed25519 key
  name                  text NOT NULL,
  owner                 text,                        -- Solana owner wallet (base58)
  maker                 text,
  region                text,                        -- 'EU868', 'US915', ...
  location_h3           text,                        -- asserted res-12 cell, h3 string
  lat                   double precision,
  lng                   double precision,
  gain_ddbi             integer NOT NULL DEFAULT 12, -- antenna gain dBi×10
  elevation_m           integer NOT NULL DEFAULT 0,
  is_full_hotspot       boolean NOT NULL DEFAULT true,
  onboarded_at          timestamptz NOT NULL DEFAULT now(),
  location_asserted_at  timestamptz,
  last_beacon_at        timestamptz,
  last_witness_at       timestamptz,
  last_beacon_recip_at  timestamptz,
  trust_score           double precision NOT NULL DEFAULT 1.0, -- 0..1, from geospatial plausibility
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hotspots_location_idx ON hotspots (location_h3);
CREATE INDEX hotspots_name_idx ON hotspots (lower(name) text_pattern_ops);

-- Signed network entropy published by the oracle; beacons must cite one.
CREATE TABLE entropy (
  data         bytea PRIMARY KEY,
  timestamp_s  bigint NOT NULL,
  version      integer NOT NULL,
  signature    bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every report the oracle accepted for processing, idempotent by canonical-bytes hash.
CREATE TABLE beacon_reports (
  hash            text PRIMARY KEY,
  hotspot         text NOT NULL,
  received_at     timestamptz NOT NULL,            -- when the oracle got it
  report_ts_ns    numeric(20,0) NOT NULL,          -- hotspot's own timestamp, ns
  local_entropy   bytea NOT NULL,
  remote_entropy  bytea NOT NULL,
  data            bytea NOT NULL,
  frequency       bigint NOT NULL,
  channel         integer NOT NULL,
  datarate        text NOT NULL,
  tx_power        integer NOT NULL,
  tmst            bigint NOT NULL,
  signature       bytea NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','valid','invalid')),
  reason          text,
  hex_scale       double precision,
  reward_unit     double precision,
  processed_at    timestamptz
);
CREATE INDEX beacon_reports_pending_idx ON beacon_reports (received_at) WHERE status = 'pending';
CREATE INDEX beacon_reports_hotspot_idx ON beacon_reports (hotspot, received_at DESC);
CREATE INDEX beacon_reports_data_idx ON beacon_reports (data);
CREATE INDEX beacon_reports_processed_idx ON beacon_reports (processed_at) WHERE status = 'valid';

CREATE TABLE witness_reports (
  hash            text PRIMARY KEY,
  hotspot         text NOT NULL,
  received_at     timestamptz NOT NULL,
  report_ts_ns    numeric(20,0) NOT NULL,
  data            bytea NOT NULL,
  tmst            bigint NOT NULL,
  signal          integer NOT NULL,                -- dBm×10
  snr             integer NOT NULL,                -- dB×10
  frequency       bigint NOT NULL,
  datarate        text NOT NULL,
  signature       bytea NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','valid','invalid')),
  reason          text,
  beacon_hash     text,                            -- the beacon it was matched to
  selected        boolean NOT NULL DEFAULT false,  -- among the rewarded witnesses of that beacon
  distance_m      integer,
  reward_unit     double precision,
  processed_at    timestamptz
);
CREATE INDEX witness_reports_data_idx ON witness_reports (data);
CREATE INDEX witness_reports_pending_idx ON witness_reports (received_at) WHERE status = 'pending';
CREATE INDEX witness_reports_hotspot_idx ON witness_reports (hotspot, received_at DESC);
CREATE INDEX witness_reports_beacon_idx ON witness_reports (beacon_hash);

-- Anything that never became a report (bad JSON, schema, signature, unknown topic...). Nothing is dropped silently.
CREATE TABLE rejected_messages (
  id           bigserial PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  topic        text NOT NULL,
  reason       text NOT NULL,
  detail       text,
  payload      bytea
);
CREATE INDEX rejected_messages_reason_idx ON rejected_messages (reason, received_at DESC);

-- Measured coverage per H3 cell. res 9 is the base; coarser resolutions are rollups of it.
CREATE TABLE coverage_hexes (
  h3             text NOT NULL,
  resolution     smallint NOT NULL,
  best_rssi      integer NOT NULL,          -- dBm×10
  best_snr       integer NOT NULL,          -- dB×10
  witness_count  bigint NOT NULL,
  hotspot_count  integer NOT NULL,          -- distinct hotspots that heard this hex
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  PRIMARY KEY (resolution, h3)
);
CREATE INDEX coverage_hexes_last_seen_idx ON coverage_hexes (resolution, last_seen_at);

-- Which hotspots heard which res-9 hex, for hex detail and hotspot counts.
CREATE TABLE coverage_hex_hotspots (
  h3            text NOT NULL,
  hotspot       text NOT NULL,
  best_rssi     integer NOT NULL,
  best_snr      integer NOT NULL,
  witness_count bigint NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  PRIMARY KEY (h3, hotspot)
);

CREATE TABLE epochs (
  epoch         bigint PRIMARY KEY,
  start_at      timestamptz NOT NULL,
  end_at        timestamptz NOT NULL,
  status        text NOT NULL CHECK (status IN ('computed','submitted','confirmed')),
  emission      numeric(20,0) NOT NULL,
  total_paid    numeric(20,0) NOT NULL,
  merkle_root   bytea,
  computed_at   timestamptz NOT NULL DEFAULT now(),
  submitted_tx  text,
  confirmed_at  timestamptz
);

CREATE TABLE epoch_rewards (
  epoch           bigint NOT NULL REFERENCES epochs(epoch),
  hotspot         text NOT NULL,
  beacon_shares   double precision NOT NULL,
  witness_shares  double precision NOT NULL,
  amount          numeric(20,0) NOT NULL,
  cumulative      numeric(20,0) NOT NULL,
  PRIMARY KEY (epoch, hotspot)
);
CREATE INDEX epoch_rewards_hotspot_idx ON epoch_rewards (hotspot, epoch DESC);
