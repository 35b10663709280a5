-- Per-hotspot propagation fit (oracle/src/plausibility/radio-fit.ts, @poc/radio HotspotFit): the additive sums of a
-- hotspot's own path-loss samples, one row per source (witness: verified beaconer→witness links, counted for both
-- ends, against the outdoor-link prior; mapper: valid mapper receipts of plausible frames, against the regional
-- device prior), updated incrementally as links are verified. The fitted parameters and the antenna-gain verdict are
-- stored beside the sums so readers (the map's hotspot page) need no radio model.
CREATE TABLE hotspot_radio_fits (
  hotspot          text NOT NULL,
  source           text NOT NULL CHECK (source IN ('witness', 'mapper')),
  links            integer NOT NULL,            -- samples in the sums (links beyond the model's minimum distance)
  sx               double precision NOT NULL,   -- Σ log10(d / 1 km)
  sxx              double precision NOT NULL,
  sy               double precision NOT NULL,   -- Σ path loss with the asserted gains, frequency term removed, dB
  sxy              double precision NOT NULL,
  syy              double precision NOT NULL,
  path_loss_1km_db double precision NOT NULL,   -- posterior mean and sd
  path_loss_sd_db  double precision NOT NULL,
  exponent         double precision NOT NULL,
  exponent_sd      double precision NOT NULL,
  shadowing_sd_db  double precision NOT NULL,   -- posterior σ of the hotspot's own model
  residual_sd_db   double precision,            -- spread of its own links around its fit (NULL below 3 links)
  prior_share      double precision NOT NULL,   -- 0…1: how much of the exponent estimate is still the regional prior
  gain_verdict     jsonb,                       -- checkAntennaGain on the asserted gain (witness source)
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hotspot, source)
);

-- How far each source has been read: keyset (processed_at, hash) of the last row added to the sums.
CREATE TABLE radio_fit_cursors (
  source        text PRIMARY KEY,
  processed_at  timestamptz NOT NULL,
  hash          text NOT NULL
);
