import { freeSpacePathLossDb, OUTDOOR_LINK_PRIOR, type PropagationModel } from '@poc/radio';
import type { Sql } from 'postgres';
import { collusionEvidence, storeCollusionFlags } from './collusion';
import { loadLinkGraph } from './link-graph';
import { DEFAULT_LOCATION_EVIDENCE, locationEvidence, type LocationEvidenceParams } from './location-evidence';
import { DEFAULT_LOCATION_SCHEDULE, dueLocationChecks, keptLocationFlags, recordLocationChecks, type LocationSchedule } from './location-schedule';
import { updateRadioFits } from './radio-fit';
import { estimateSiteSplits } from './site-split';

/**
 * Geospatial plausibility beyond Helium. Every located beaconer→witness pair gives a link sample: the asserted
 * distance and how far the received signal sits above the propagation model fitted on real receptions (@poc/radio,
 * packages/radio/README.md), in standard deviations. Real links lose 30–40 dB more than free space, so a bound at
 * free space barely moves; the fitted model's mean and spread are the honest reference. A hotspot
 * whose asserted location is false (moved far away on paper, or "close" to hotspots it is not near) produces links
 * that are too strong for their distance, or out of range, with most of its neighbours — while each honest neighbour
 * sees that only on its one link with the liar. The trust score is therefore driven by the *share* of a hotspot's
 * links that are implausible, over a window of many beacons.
 *
 * Evidence counts against the party that produced it. A witness report is the witness's own claim, so every link
 * counts as a sample for its witness. It counts for the beaconer only when it says something about the beaconer's
 * asserted location rather than about the witness's honesty: the witness must be credible — its reports of *other*
 * beaconers mostly plausible, with enough of them to tell — and the signal must be physically possible had the
 * beaconer stood at the nearest valid distance (a signal stronger than that is impossible wherever the beaconer is,
 * so only the witness can be wrong). Sybils reporting absurd signals of an honest beacon therefore lower only their
 * own trust. The two roles are scored apart and the lower score is the hotspot's, so a liar cannot dilute what
 * credible witnesses say about its location with plausible reports of its own (or the other way round).
 */
export interface TrustParams {
  /** Fewer samples than this: not enough evidence, trust 1. */
  minSamples: number;
  /** The fitted propagation model links are judged against (@poc/radio: outdoor links, packages/radio/README.md). */
  model: PropagationModel;
  /** A link is implausible when its signal is this many standard deviations above the model's mean for its distance. */
  tooStrongSd: number;
  /** Share of implausible links tolerated before trust falls (line-of-sight links do come close to free space). */
  tolerated: number;
  /** Share at and above which trust is 0. */
  zeroAt: number;
  /**
   * Distance (m) at which a witness signal is judged "possible anywhere": about the 8 res-11 cells Helium requires
   * between a beaconer and a valid witness (~350 m), rounded down.
   */
  nearestPairM: number;
}

export const DEFAULT_TRUST_PARAMS: TrustParams = { minSamples: 10, model: OUTDOOR_LINK_PRIOR, tooStrongSd: 2.5, tolerated: 0.25, zeroAt: 0.75, nearestPairM: 300 };

/**
 * The model's mean loss above free space, dB: PL(d) − FSPL(d, f). Both carry 20·log10(f), so it depends on d only:
 * PL₁ₖₘ − FSPL(1 km, f_ref) + 10·(n − 2)·log10(d / 1 km). `rssi_margin` is the signal against free space, so
 * `rssi_margin + this` is the signal against the model's mean.
 */
function modelExcessLossSql(model: PropagationModel): { atOneKmDdb: number; perDecadeDdb: number } {
  return {
    atOneKmDdb: Math.round(10 * (model.pathLossAt1kmDb - freeSpacePathLossDb(1000, model.referenceFrequencyHz))),
    perDecadeDdb: Math.round(100 * (model.exponent - 2)),
  };
}

/** Linear from 1 at `tolerated` to 0 at `zeroAt`, 4 dp so reward shares stay exact integers. */
export function trustScore(samples: number, implausible: number, p: TrustParams = DEFAULT_TRUST_PARAMS): number {
  if (samples < p.minSamples) return 1;
  const share = implausible / samples;
  const t = 1 - (share - p.tolerated) / (p.zeroAt - p.tolerated);
  return Math.round(Math.min(1, Math.max(0, t)) * 10_000) / 10_000;
}

interface PlausibilityRow {
  hotspot: string;
  witness_samples: number;
  witness_implausible: number;
  beaconer_samples: number;
  beaconer_implausible: number;
  median_margin: number | null;
}

/** Lowest of the two roles' scores (each 1 until it has `minSamples` samples). */
export function roleTrust(r: PlausibilityRow, p: TrustParams = DEFAULT_TRUST_PARAMS): number {
  return Math.min(trustScore(r.witness_samples, r.witness_implausible, p), trustScore(r.beaconer_samples, r.beaconer_implausible, p));
}

/** Each hotspot's link samples in the window, as witness (all) and as beaconer (credible, possible ones only). */
async function plausibilityRows(sql: Sql, since: Date, p: TrustParams): Promise<PlausibilityRow[]> {
  const excess = modelExcessLossSql(p.model);
  const noiseDdbm = Math.round(p.model.noiseFloorDbm * 10);
  const tooStrongDdb = Math.round(p.tooStrongSd * p.model.shadowingSdDb * 10);
  return sql<PlausibilityRow[]>`
    WITH link AS (
      SELECT w.hotspot AS witness, b.hotspot AS beaconer,
             -- the signal (channel RSSI floors at the noise: below 0 dB SNR the signal is noise + SNR) against the
             -- fitted model's mean at the asserted distance
             (w.distance_m >= 101000 OR
              w.rssi_margin - (w.signal - CASE WHEN w.snr < 0 THEN least(w.signal, ${noiseDdbm} + w.snr) ELSE w.signal END)
                + ${excess.atOneKmDdb} + ${excess.perDecadeDdb} * log(greatest(w.distance_m, 1)::float8 / 1000) > ${tooStrongDdb}) AS bad,
             -- stronger than free space allows even at the nearest valid distance: only the witness can be wrong
             coalesce(w.rssi_margin > 200 * log(greatest(w.distance_m, ${p.nearestPairM})::float8 / ${p.nearestPairM}), false) AS impossible,
             w.rssi_margin
      FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
      WHERE w.processed_at >= ${since} AND w.distance_m IS NOT NULL AND w.hotspot <> b.hotspot
        AND w.reason IS DISTINCT FROM 'duplicate'
    ), pair AS (
      SELECT witness, beaconer, count(*) AS n, count(*) FILTER (WHERE bad) AS bad FROM link GROUP BY witness, beaconer
    ), witness_total AS (
      SELECT witness, sum(n) AS n, sum(bad) AS bad FROM pair GROUP BY witness
    ), credible AS (
      -- the witness's reports of every *other* beaconer are numerous enough and mostly plausible
      SELECT p.witness, p.beaconer FROM pair p JOIN witness_total t USING (witness)
      WHERE t.n - p.n >= ${p.minSamples} AND t.bad - p.bad <= ${p.tolerated} * (t.n - p.n)
    ), sample AS (
      SELECT witness AS hotspot, true AS as_witness, bad, rssi_margin FROM link
      UNION ALL
      SELECT l.beaconer, false, l.bad, l.rssi_margin FROM link l JOIN credible c USING (witness, beaconer) WHERE NOT l.impossible
    )
    SELECT hotspot,
           count(*) FILTER (WHERE as_witness)::int AS witness_samples, count(*) FILTER (WHERE as_witness AND bad)::int AS witness_implausible,
           count(*) FILTER (WHERE NOT as_witness)::int AS beaconer_samples, count(*) FILTER (WHERE NOT as_witness AND bad)::int AS beaconer_implausible,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY rssi_margin) AS median_margin
    FROM sample GROUP BY hotspot`;
}

/** Any constant, the same in every oracle process: one trust refresh writes at a time. */
const TRUST_LOCK = 7_150_104;

/**
 * Recomputes every hotspot's trust from its links in the window and stores it: plausibility per role in
 * hotspot_trust, collusion and location findings in hotspot_flags (their factor in hotspot_trust.collusion_scale), and
 * hotspots.trust_score = plausibility × collusion scale, which the PoC processor snapshots onto every report.
 */
export async function updateTrustScores(
  sql: Sql,
  windowHours = 168,
  p: TrustParams = DEFAULT_TRUST_PARAMS,
  locationSchedule: LocationSchedule = DEFAULT_LOCATION_SCHEDULE,
  locationParams: LocationEvidenceParams = DEFAULT_LOCATION_EVIDENCE,
): Promise<number> {
  // The per-hotspot fits (and their antenna-gain verdicts) take the links verified since the last refresh.
  await updateRadioFits(sql);
  const since = new Date(Date.now() - windowHours * 3600_000);
  const rows = await plausibilityRows(sql, since, p);
  const scored = rows.map((r) => ({ ...r, trust: roleTrust(r, p) })).sort((a, b) => (a.hotspot < b.hotspot ? -1 : 1));
  // Collusion over the witness graph, and the location check on what they heard (location-evidence.ts) of the hotspots
  // due for one (location-schedule.ts), where beaconers whose location credible witnesses dispute are no reference point.
  const disputed = scored.filter((r) => trustScore(r.beaconer_samples, r.beaconer_implausible, p) < 1).map((r) => r.hotspot);
  const collusion = collusionEvidence(await loadLinkGraph(sql, since));
  const due = await dueLocationChecks(sql, locationSchedule);
  // How each source's spread splits into site and link in each region, from the fits just updated (site-split.ts).
  const splits = await estimateSiteSplits(sql, locationParams, locationParams.maxLinksPerSource);
  const location = await locationEvidence(sql, due.hotspots, since, locationParams, disputed, splits);
  const column = <K extends keyof (typeof scored)[number]>(k: K) => scored.map((r) => r[k]);
  await sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${TRUST_LOCK}) AS ok`;
    if (!lock?.ok) return; // another worker is writing the same result
    await tx`
      INSERT INTO hotspot_trust (hotspot, witness_samples, witness_implausible, beaconer_samples, beaconer_implausible, median_margin, trust_score,
                                 samples, implausible, updated_at)
      SELECT *, u.ws + u.bs, u.wi + u.bi, now()
      FROM unnest(${column('hotspot')}::text[], ${column('witness_samples')}::int[], ${column('witness_implausible')}::int[],
                  ${column('beaconer_samples')}::int[], ${column('beaconer_implausible')}::int[], ${column('median_margin')}::int[],
                  ${column('trust')}::float8[]) AS u(h, ws, wi, bs, bi, m, t)
      ON CONFLICT (hotspot) DO UPDATE SET samples = EXCLUDED.samples, implausible = EXCLUDED.implausible,
        witness_samples = EXCLUDED.witness_samples, witness_implausible = EXCLUDED.witness_implausible,
        beaconer_samples = EXCLUDED.beaconer_samples, beaconer_implausible = EXCLUDED.beaconer_implausible,
        median_margin = EXCLUDED.median_margin, trust_score = EXCLUDED.trust_score, updated_at = now()`;
    // Hotspots not re-checked keep their location finding; the checked ones' state is written with their findings.
    await storeCollusionFlags(tx, [...collusion, ...location, ...(await keptLocationFlags(tx, due.hotspots))]);
    await recordLocationChecks(tx, due);
    // Lock in address order, as the PoC processor does, so the two never deadlock.
    await tx`SELECT 1 FROM hotspots WHERE address IN (SELECT hotspot FROM hotspot_trust) ORDER BY address FOR UPDATE`;
    await tx`
      UPDATE hotspots h SET trust_score = v.trust FROM (
        SELECT hotspot, round((trust_score * collusion_scale)::numeric, 4)::float8 AS trust FROM hotspot_trust) v
      WHERE v.hotspot = h.address AND h.trust_score IS DISTINCT FROM v.trust`;
  });
  return scored.length;
}
