-- beacon_reports and witness_reports partitioned by UTC day of the report's own timestamp (report_ts_ns), so a day
-- leaves by DROP TABLE of its partition instead of DELETE (docs/operations.md §8 "PostgreSQL at a billion rows").
--
-- Why the report's timestamp and not received_at: a unique index on a partitioned table must contain the partition
-- key. The hash is taken over the canonical bytes, which include the timestamp, so equal hashes imply equal
-- report_ts_ns: a redelivery — minutes or days later — lands in the same partition and (hash, report_ts_ns) is
-- exactly as unique as hash alone was. ON CONFLICT (hash, report_ts_ns) DO NOTHING keeps storing each report once.
--
-- Rows whose day has no partition (a hotspot clock far off, or maintenance behind) go to the DEFAULT partition and are
-- never lost; the oracle's partition maintenance (oracle/src/db/partitions.ts) creates the days ahead, moves rows out
-- of the default partition when their day gets one, and drops days past the retention.
--
-- Existing rows are copied; days within [today − 400, today + 7] get their partition here, anything else the default.
CREATE FUNCTION pg_temp.ns_of_day(d date) RETURNS numeric LANGUAGE sql IMMUTABLE
  AS $$ SELECT (extract(epoch FROM (d::timestamp AT TIME ZONE 'UTC')) * 1000000000)::numeric(20,0) $$;

DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  t text;
  d date;
BEGIN
  FOREACH t IN ARRAY ARRAY['beacon_reports', 'witness_reports'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (report_ts_ns)', t, t || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
    FOR d IN EXECUTE format($q$
        SELECT DISTINCT (to_timestamp(floor(report_ts_ns / 1e9)::float8) AT TIME ZONE 'UTC')::date FROM %I
        WHERE report_ts_ns >= pg_temp.ns_of_day($1 - 400) AND report_ts_ns < pg_temp.ns_of_day($1 + 8)
        UNION SELECT $1 + i FROM generate_series(0, 7) i$q$, t || '_unpartitioned') USING today LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
        t || '_p' || to_char(d, 'YYYYMMDD'), t, pg_temp.ns_of_day(d), pg_temp.ns_of_day(d + 1));
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '_unpartitioned');
    EXECUTE format('DROP TABLE %I', t || '_unpartitioned');
  END LOOP;
END $$;

-- The indexes of 001/002, now on the partitioned tables (each partition gets its own).
ALTER TABLE beacon_reports ADD PRIMARY KEY (hash, report_ts_ns);
CREATE INDEX beacon_reports_pending_idx ON beacon_reports (received_at) WHERE status = 'pending';
CREATE INDEX beacon_reports_hotspot_idx ON beacon_reports (hotspot, received_at DESC);
CREATE INDEX beacon_reports_data_idx ON beacon_reports (data);
CREATE INDEX beacon_reports_processed_idx ON beacon_reports (processed_at) WHERE status = 'valid';
CREATE INDEX beacon_reports_epoch_idx ON beacon_reports (received_at) WHERE status = 'valid';
CREATE INDEX beacon_reports_remote_entropy_idx ON beacon_reports (remote_entropy) WHERE status = 'pending';
ALTER TABLE witness_reports ADD PRIMARY KEY (hash, report_ts_ns);
CREATE INDEX witness_reports_data_idx ON witness_reports (data);
CREATE INDEX witness_reports_pending_idx ON witness_reports (received_at) WHERE status = 'pending';
CREATE INDEX witness_reports_hotspot_idx ON witness_reports (hotspot, received_at DESC);
CREATE INDEX witness_reports_beacon_idx ON witness_reports (beacon_hash);
CREATE INDEX witness_reports_selected_idx ON witness_reports (beacon_hash) WHERE selected;
CREATE INDEX witness_reports_links_idx ON witness_reports (processed_at) WHERE rssi_margin IS NOT NULL;
