-- Mapper devices (oracle/README.md §Mappers): field devices whose GPS-tagged uplinks, heard by hotspots, measure
-- coverage where a device actually was. The device key is stored only sealed to the oracle's key-seal key
-- (X25519 + HKDF + AES-256-GCM, @poc/protocol mapper-registration.ts): this table, its backups and the mapper API's
-- read replica never hold it in clear; only an oracle process configured with the key-seal secret can open it.
CREATE TABLE mapper_devices (
  device_id               bigint PRIMARY KEY CHECK (device_id BETWEEN 0 AND 4294967295), -- the frame's DevAddr
  owner                   text NOT NULL,             -- owner wallet, base58
  sealed_key              bytea NOT NULL,            -- device key sealed to the oracle (76 bytes)
  registration_signature  bytea NOT NULL,            -- the owner's Ed25519 signature of the registration
  issued_at               timestamptz NOT NULL,      -- when the owner signed it
  registered_at           timestamptz NOT NULL DEFAULT now(),
  last_counter            bigint,                    -- newest accepted 32-bit frame counter
  last_lat                double precision,          -- position and time of the newest plausible fix
  last_lng                double precision,
  last_fix_at             timestamptz
);
CREATE INDEX mapper_devices_owner_idx ON mapper_devices (owner);

-- One row per hotspot receipt of a mapper frame, as received; `status` once its frame's group is processed.
CREATE TABLE mapper_receipts (
  hash             text PRIMARY KEY,                 -- SHA-256 of the receipt's canonical bytes
  hotspot          text NOT NULL,
  topic            text NOT NULL,
  received_at      timestamptz NOT NULL,             -- when the oracle got it
  frame            bytea NOT NULL,                   -- the 22-byte mapper frame heard
  device_id        bigint NOT NULL,
  report_ts_ns     numeric(20,0) NOT NULL,           -- bridge receive time, ns
  gateway_time_ns  numeric(20,0) NOT NULL,           -- forwarder's GPS/UTC time of reception, ns (0: none)
  tmst             bigint NOT NULL,                  -- concentrator µs counter
  signal           integer NOT NULL,                 -- dBm×10
  snr              integer NOT NULL,                 -- dB×10
  frequency        bigint NOT NULL,
  datarate         text NOT NULL,
  payload          bytea NOT NULL,                   -- the MQTT message, for rejected_messages when refused
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','valid','invalid')),
  reason           text,
  frame_id         bigint,
  processed_at     timestamptz,
  UNIQUE (frame, hotspot)                            -- a hotspot hears one frame once
);
CREATE INDEX mapper_receipts_pending_idx ON mapper_receipts (received_at) WHERE status = 'pending';
CREATE INDEX mapper_receipts_hotspot_idx ON mapper_receipts (hotspot, received_at DESC);

-- Each distinct frame once, with the verdict on it and the receipts grouped under it. A later copy of the same bytes is
-- a replay. status: plausible (counted as coverage), implausible (authentic but its position or motion is not
-- believable; stored, never counted), rejected (not authentic or not fresh).
CREATE TABLE mapper_frames (
  id                 bigserial PRIMARY KEY,
  frame              bytea NOT NULL UNIQUE,
  device_id          bigint NOT NULL,
  counter            bigint,                         -- full counter when the MIC verified
  lat                double precision NOT NULL,      -- claimed position
  lng                double precision NOT NULL,
  h3                 text NOT NULL,                  -- res-9 cell of the claimed position
  hdop_deci          integer NOT NULL,
  satellites         integer NOT NULL,
  first_received_at  timestamptz NOT NULL,           -- earliest receipt at the oracle
  processed_at       timestamptz NOT NULL DEFAULT now(),
  status             text NOT NULL CHECK (status IN ('plausible','implausible','rejected')),
  reason             text,
  detail             text,
  receipt_count      integer NOT NULL,
  hotspot_count      integer NOT NULL,               -- receipts counted as measurements
  evidence           jsonb                           -- e.g. hotspots near the fix that should have heard it and did not
);
CREATE INDEX mapper_frames_device_idx ON mapper_frames (device_id, first_received_at DESC);
CREATE INDEX mapper_frames_h3_idx ON mapper_frames (h3) WHERE status = 'plausible';

-- Coverage rows say where a measurement came from: 'witness' (a PoC beacon heard, at the beaconer's cell) or 'mapper'
-- (a mapper frame heard, at the device's cell). A cell and hotspot measured both ways has one row per source; the
-- mapper API aggregates over them. coverage_hexes keeps one row per cell; mapper_count says how many of its
-- witness_count measurements came from mapper frames.
ALTER TABLE coverage_hex_hotspots ADD COLUMN source text NOT NULL DEFAULT 'witness' CHECK (source IN ('witness','mapper'));
ALTER TABLE coverage_hex_hotspots DROP CONSTRAINT coverage_hex_hotspots_pkey;
ALTER TABLE coverage_hex_hotspots ADD PRIMARY KEY (h3, hotspot, source);
ALTER TABLE coverage_hex_hotspot_days ADD COLUMN source text NOT NULL DEFAULT 'witness' CHECK (source IN ('witness','mapper'));
ALTER TABLE coverage_hex_hotspot_days DROP CONSTRAINT coverage_hex_hotspot_days_pkey;
ALTER TABLE coverage_hex_hotspot_days ADD PRIMARY KEY (day, h3, hotspot, source);
ALTER TABLE coverage_hexes ADD COLUMN mapper_count bigint NOT NULL DEFAULT 0;
