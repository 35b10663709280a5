-- coverage_hex_hotspot_days partitioned by its day (docs/operations.md §8): the retention drops a day's partition
-- instead of deleting its rows. The primary key (day, h3, hotspot) already starts with the partition key, so the
-- coverage upsert's ON CONFLICT is unchanged; the mapper's `day = ANY(…)` reads only the days it asks for.
ALTER TABLE coverage_hex_hotspot_days RENAME TO coverage_hex_hotspot_days_unpartitioned;
ALTER INDEX coverage_hex_hotspot_days_pkey RENAME TO coverage_hex_hotspot_days_unpartitioned_pkey;
CREATE TABLE coverage_hex_hotspot_days (LIKE coverage_hex_hotspot_days_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (day);
CREATE TABLE coverage_hex_hotspot_days_default PARTITION OF coverage_hex_hotspot_days DEFAULT;
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  d date;
BEGIN
  FOR d IN SELECT DISTINCT day FROM coverage_hex_hotspot_days_unpartitioned WHERE day BETWEEN today - 400 AND today + 7
           UNION SELECT today + i FROM generate_series(0, 7) i LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF coverage_hex_hotspot_days FOR VALUES FROM (%L) TO (%L)',
      'coverage_hex_hotspot_days_p' || to_char(d, 'YYYYMMDD'), d, d + 1);
  END LOOP;
END $$;
INSERT INTO coverage_hex_hotspot_days SELECT * FROM coverage_hex_hotspot_days_unpartitioned;
DROP TABLE coverage_hex_hotspot_days_unpartitioned;
ALTER TABLE coverage_hex_hotspot_days ADD PRIMARY KEY (day, h3, hotspot);
