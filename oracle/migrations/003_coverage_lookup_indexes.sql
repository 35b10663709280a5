-- Which hexes a hotspot covered (hotspot detail page) and the freshest coverage per resolution (map tiles).
CREATE INDEX coverage_hex_hotspots_hotspot_idx ON coverage_hex_hotspots (hotspot, last_seen_at DESC);
-- Proof lookups by hotspot for the latest epochs, and epochs awaiting the chain.
CREATE INDEX epochs_unconfirmed_idx ON epochs (epoch) WHERE status <> 'confirmed';
