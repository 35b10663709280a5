-- Trust evidence by role (oracle/src/plausibility/trust.ts): every link is a sample for its witness; it is one for the
-- beaconer only when the witness is credible and the signal physically possible. samples/implausible are the sums.
ALTER TABLE hotspot_trust
  ADD COLUMN witness_samples      integer NOT NULL DEFAULT 0,
  ADD COLUMN witness_implausible  integer NOT NULL DEFAULT 0,
  ADD COLUMN beaconer_samples     integer NOT NULL DEFAULT 0,
  ADD COLUMN beaconer_implausible integer NOT NULL DEFAULT 0;
