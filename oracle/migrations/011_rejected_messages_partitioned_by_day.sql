-- rejected_messages partitioned by the UTC day a rejection arrived (received_on), dropped a day at a time for the
-- retention (docs/operations.md §8). A unique index on a partitioned table must contain the partition key, so repeats
-- are now counted per day: one row per (received_on, topic, reason, payload hash) with its count; a flood lasting
-- three days is three rows, not three million. The key is the day of arrival (the oracle's clock), so every copy of a
-- day meets its row in the same partition and ON CONFLICT keeps counting.
-- Existing rows keep their counts and belong to the day their last copy arrived (the old retention was by last copy).
ALTER SEQUENCE rejected_messages_id_seq OWNED BY NONE;
ALTER TABLE rejected_messages RENAME TO rejected_messages_unpartitioned;
CREATE TABLE rejected_messages (
  LIKE rejected_messages_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  received_on  date NOT NULL            -- UTC day of arrival: the partition key
) PARTITION BY RANGE (received_on);
CREATE TABLE rejected_messages_default PARTITION OF rejected_messages DEFAULT;
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  d date;
BEGIN
  FOR d IN SELECT DISTINCT (last_seen_at AT TIME ZONE 'UTC')::date AS day FROM rejected_messages_unpartitioned
           WHERE last_seen_at >= (today - 400)::timestamp AT TIME ZONE 'UTC' AND last_seen_at < (today + 8)::timestamp AT TIME ZONE 'UTC'
           UNION SELECT today + i FROM generate_series(0, 7) i LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF rejected_messages FOR VALUES FROM (%L) TO (%L)', 'rejected_messages_p' || to_char(d, 'YYYYMMDD'), d, d + 1);
  END LOOP;
END $$;
INSERT INTO rejected_messages (id, received_at, topic, reason, detail, payload, hotspot, payload_hash, count, last_seen_at, received_on)
  SELECT id, received_at, topic, reason, detail, payload, hotspot, payload_hash, count, last_seen_at, (last_seen_at AT TIME ZONE 'UTC')::date
  FROM rejected_messages_unpartitioned;
DROP TABLE rejected_messages_unpartitioned;
ALTER SEQUENCE rejected_messages_id_seq OWNED BY rejected_messages.id;
ALTER TABLE rejected_messages ADD PRIMARY KEY (id, received_on);
CREATE UNIQUE INDEX rejected_messages_repeat_idx ON rejected_messages (received_on, topic, reason, payload_hash);
CREATE INDEX rejected_messages_reason_idx ON rejected_messages (reason, received_at DESC);
CREATE INDEX rejected_messages_last_seen_idx ON rejected_messages (last_seen_at);
CREATE INDEX rejected_messages_hotspot_idx ON rejected_messages (hotspot, last_seen_at DESC) WHERE hotspot IS NOT NULL;
