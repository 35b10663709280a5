-- Estimated coverage (oracle/src/coverage/estimated.ts): what the propagation model predicts for the reference device
-- (oracle/src/coverage/uplink-predictor.ts REFERENCE_DEVICE) around every located hotspot, res 9 with res 8…4
-- rollups like coverage_hexes. Rewritten a res-6 tile at a time when a hotspot reaching the tile moved or changed.
CREATE TABLE estimated_coverage_hexes (
  h3                text NOT NULL,
  resolution        smallint NOT NULL,
  probability       real NOT NULL,      -- res 9: 1 − Π(1 − p_i) that one uplink is heard; rollups: max of the res-9 cells
  covered_cells     real NOT NULL,      -- Σ probability of the res-9 cells (res 9: its own probability)
  expected_hotspots real NOT NULL,      -- res 9: Σ p_i, hotspots expected to hear one uplink; rollups: max
  best_rssi         integer NOT NULL,   -- dBm×10, strongest predicted median signal at a hotspot (rollups: max)
  best_snr          integer NOT NULL,   -- dB×10
  hotspot_count     integer NOT NULL,   -- hotspots reaching the cell with p_i ≥ 0.1 (rollups: max)
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resolution, h3)
);

-- What each hotspot's estimate was last computed from: a hotspot whose row differs (moved, new gain, new fitted
-- parameters, new model) or that disappeared has its tiles recomputed.
CREATE TABLE estimated_coverage_sources (
  hotspot        text PRIMARY KEY,
  lat            double precision NOT NULL,
  lng            double precision NOT NULL,
  gain_ddbi      integer NOT NULL,
  region         text,
  params_key     text NOT NULL,
  model_version  text NOT NULL,
  estimated_at   timestamptz NOT NULL DEFAULT now()
);
