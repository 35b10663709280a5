-- Mapper logs (oracle/README.md §Mapper logs): a mapper uploads the frames it sent; a frame no hotspot heard becomes a
-- measured "no signal" at its res-9 cell. The mapper API checks and stores an upload (owner signature, consistency
-- with the frames received); the oracle, which alone opens device keys, checks each entry's MIC and decides
-- heard / no_signal once the grace period for late receipts has passed.

-- Every upload attempt that named a registered device, accepted or refused, with the reasons.
CREATE TABLE mapper_log_uploads (
  id            bigserial PRIMARY KEY,
  device_id     bigint NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  client        text,                                 -- caller's address
  entry_count   integer NOT NULL,
  status        text NOT NULL CHECK (status IN ('accepted','rejected')),
  reason        text,                                 -- first refusal reason
  detail        jsonb                                 -- [{ index, counter, reason, detail }] for refused entries
);
CREATE INDEX mapper_log_uploads_device_idx ON mapper_log_uploads (device_id, received_at DESC);

-- One row per frame a device says it sent (first upload wins; a re-upload of the same counter is ignored).
-- status: pending (within the grace period or not yet judged), heard (some hotspot's receipt has the same bytes),
-- no_signal (authentic and unheard: measured no coverage at h3), invalid (MIC does not verify with the device key).
CREATE TABLE mapper_log_entries (
  device_id     bigint NOT NULL,
  counter       bigint NOT NULL,
  upload_id     bigint NOT NULL REFERENCES mapper_log_uploads (id),
  frame         bytea NOT NULL,
  sent_at       timestamptz NOT NULL,
  lat           double precision NOT NULL,
  lng           double precision NOT NULL,
  h3            text NOT NULL,                        -- res-9 cell of the frame's position
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','heard','no_signal','invalid')),
  reason        text,
  judged_at     timestamptz,
  PRIMARY KEY (device_id, counter)
);
CREATE INDEX mapper_log_entries_pending_idx ON mapper_log_entries (sent_at) WHERE status = 'pending';
CREATE INDEX mapper_log_entries_no_signal_idx ON mapper_log_entries (h3, sent_at DESC) WHERE status = 'no_signal';
-- The heard check looks receipts up by frame bytes (UNIQUE (frame, hotspot) already leads with frame).
