-- Repeated rejections are counted, not stored again: one row per (topic, reason, payload hash) with how many copies
-- arrived and when the last one did; the topic names the hotspot, kept in its own column for queries. Rows not seen
-- for the oracle's retention (default 14 days) are pruned by the oracle. Rows from before this migration have no
-- payload hash, are never merged, and count as last seen at migration time (a constant default: no table rewrite).
ALTER TABLE rejected_messages
  ADD COLUMN hotspot       text,
  ADD COLUMN payload_hash  bytea,                               -- sha256 of the whole payload (the stored copy is cut at 8 KiB)
  ADD COLUMN count         bigint NOT NULL DEFAULT 1,           -- copies received; received_at is the first
  ADD COLUMN last_seen_at  timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX rejected_messages_repeat_idx ON rejected_messages (topic, reason, payload_hash);
CREATE INDEX rejected_messages_last_seen_idx ON rejected_messages (last_seen_at);
CREATE INDEX rejected_messages_hotspot_idx ON rejected_messages (hotspot, last_seen_at DESC) WHERE hotspot IS NOT NULL;
