-- Confidence calibration (oracle/src/coverage/confidence-calibration.ts; packages/radio/README.md §Calibration on real
-- data, "Recalibration"): a reliability map per device environment class, fitted from mapper frames whose fate is
-- known (logged and judged heard / no_signal) against the estimated probability at their cell. The carriers' API
-- maps each estimated answer's raw probability through it.
CREATE TABLE confidence_calibrations (
  environment       text PRIMARY KEY CHECK (environment IN ('outdoor','indoor')),
  knots_raw         double precision[] NOT NULL,  -- raw probabilities, strictly increasing
  knots_calibrated  double precision[] NOT NULL,  -- their calibrated values, non-decreasing, same length
  frames            bigint NOT NULL,              -- judged frames the map was fitted on
  heard             bigint NOT NULL,              -- of those, heard
  cells             integer NOT NULL,             -- res-9 cells they were sent from (the fit's groups)
  unestimated_frames bigint NOT NULL,             -- judged frames in the window from cells with no estimate (left out)
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  fitted_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (cardinality(knots_raw) = cardinality(knots_calibrated))
);

-- The fit reads the newest judged frames of a trailing window.
CREATE INDEX mapper_log_entries_judged_idx ON mapper_log_entries (sent_at DESC) WHERE status IN ('heard','no_signal');
