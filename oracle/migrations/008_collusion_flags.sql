-- Collusion evidence per hotspot (oracle/src/plausibility/collusion): one row per finding with the reason in words and
-- its numbers, replaced on every trust refresh (a finding no longer made is removed). hotspot_trust.collusion_scale is
-- the product of the findings' reward factors; hotspots.trust_score = plausibility trust × collusion_scale.
CREATE TABLE hotspot_flags (
  hotspot           text NOT NULL,
  evidence          text NOT NULL,             -- closed_group | link_asymmetry | geometry_mismatch
  reason            text NOT NULL,
  detail            jsonb NOT NULL DEFAULT '{}',
  scale             double precision NOT NULL, -- reward factor of this finding
  first_flagged_at  timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hotspot, evidence)
);
ALTER TABLE hotspot_trust ADD COLUMN collusion_scale double precision NOT NULL DEFAULT 1;
