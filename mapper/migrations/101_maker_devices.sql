-- The maker's list of the hotspots it manufactured (one row per hotspot key, written at the factory by
-- `maker-devices register`): the onboarding server co-signs an onboarding only for a key listed here for its maker
-- and not revoked, so nobody can create hotspots out of keys they generated themselves.
CREATE TABLE maker_devices (
  hotspot          text PRIMARY KEY,   -- Helium-style address of the hotspot's Ed25519 key
  maker            text NOT NULL,      -- maker authority (base58) that built the device
  batch            text NOT NULL,      -- production batch, for recalls
  status           text NOT NULL DEFAULT 'manufactured' CHECK (status IN ('manufactured', 'onboarded', 'revoked')),
  manufactured_at  timestamptz NOT NULL DEFAULT now(),
  onboarded_at     timestamptz,
  owner            text,               -- the wallet that onboarded it through this server
  revoked_at       timestamptz,
  revoked_reason   text
);
CREATE INDEX maker_devices_maker_batch_idx ON maker_devices (maker, batch);
