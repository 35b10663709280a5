-- Carriers' API keys (mapper). Only a SHA-256 of the secret is stored; `id` is the public prefix used to look a key up.
CREATE TABLE api_keys (
  id                     text PRIMARY KEY,
  secret_sha256          bytea NOT NULL,
  name                   text NOT NULL,
  rate_limit_per_minute  integer NOT NULL DEFAULT 600 CHECK (rate_limit_per_minute > 0),
  created_at             timestamptz NOT NULL DEFAULT now(),
  revoked_at             timestamptz,
  last_used_at           timestamptz
);

-- The map asks for hotspots inside the viewport.
CREATE INDEX hotspots_lat_lng_idx ON hotspots (lat, lng);
