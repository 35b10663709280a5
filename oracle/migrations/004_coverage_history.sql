-- Daily coverage history for the map's and carriers' time filters (last 24 h / 7 d / 30 d, as of a date).
-- One row per (cell, UTC day, hotspot that heard it) at every resolution the oracle writes (res 9 and its res 8…4
-- rollups, like coverage_hex_hotspots), written in the same transaction as coverage_hexes. A range of days
-- aggregates exactly: best RSSI/SNR = max, witnesses = sum, distinct hotspots = count(DISTINCT hotspot).
-- Days older than the oracle's coverageHistoryDays are pruned by the oracle.
CREATE TABLE coverage_hex_hotspot_days (
  h3            text NOT NULL,
  day           date NOT NULL,             -- UTC day of the witness report's receive time
  hotspot       text NOT NULL,             -- the witness
  best_rssi     integer NOT NULL,          -- dBm×10
  best_snr      integer NOT NULL,          -- dB×10
  witness_count integer NOT NULL,
  last_seen_at  timestamptz NOT NULL,      -- newest measurement of that day
  -- Day first: the mapper reads `day = ANY(<the filter's days>) AND h3 …` (one index search per day and cell or
  -- cell range, whatever the retention), and pruning deletes a prefix (`day < cutoff`) without another index.
  PRIMARY KEY (day, h3, hotspot)
);
