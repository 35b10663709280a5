import {
  checkAntennaGain,
  DEFAULT_GAIN_CHECK,
  DEFAULT_PRIOR_STRENGTH,
  HotspotFit,
  measuredSignalDbm,
  OUTDOOR_LINK_PRIOR,
  REGIONAL_PRIOR,
  type FitSums,
  type GainCheckParams,
  type PropagationModel,
} from '@poc/radio';
import type { Sql, TransactionSql } from 'postgres';
import { distanceM } from './link-graph';

/**
 * Each hotspot's own propagation fit (@poc/radio HotspotFit, packages/radio/README.md §API), kept up to date as links
 * are verified: verified witness links count for both ends (the same path, both antennas in the budget) against the
 * outdoor-link prior; valid mapper receipts of plausible frames count for the hotspot that heard them against the
 * regional device prior. The fit's state is six additive sums, so each refresh reads only the rows verified since the
 * last one (a keyset cursor per source) and adds them. The witness fit also judges the hotspot's asserted antenna gain
 * (checkAntennaGain): links consistently weaker than the model for that gain say the gain is not what is claimed.
 */
export type FitSource = 'witness' | 'mapper';

export interface RadioFitParams {
  witnessPrior: PropagationModel;
  mapperPrior: PropagationModel;
  gainCheck: GainCheckParams;
  /** Rows read per batch, and batches per refresh (bounds one refresh's time and memory). */
  batchSize: number;
  maxBatches: number;
  /**
   * Rows verified less than this long ago are left for the next refresh: a processor transaction that started before
   * the cursor moved may still commit rows with an earlier processed_at.
   */
  settleMs: number;
  /** Mapper devices' transmit power and antenna gain, which their frames do not carry (oracle/README.md §Mappers). */
  mapperTxPowerDdbm: number;
  mapperGainDdbi: number;
}

export const DEFAULT_RADIO_FIT: RadioFitParams = {
  witnessPrior: OUTDOOR_LINK_PRIOR,
  mapperPrior: REGIONAL_PRIOR,
  gainCheck: DEFAULT_GAIN_CHECK,
  batchSize: 5000,
  maxBatches: 20,
  settleMs: 5000,
  mapperTxPowerDdbm: 140,
  mapperGainDdbi: 0,
};

/** Any constant, the same in every oracle process: one fit refresh reads and adds at a time. */
const RADIO_FIT_LOCK = 7_150_116;

/** processed_at as Postgres prints it: a JS Date would drop the microseconds and re-read rows past the cursor. */
interface Cursor {
  processed_at: string;
  hash: string;
}

interface LinkRow extends Cursor {
  signal: number;
  snr: number;
  frequency: string;
  distance_m: number;
  tx_power_dbm: number;
  /** The hotspots the link counts for, each with its asserted gain (witness source: witness and beaconer). */
  a: string;
  a_gain: number;
  b: string | null;
  b_gain: number | null;
}

/** How much of the exponent's estimate is still the prior: prior precision over posterior precision. */
function priorShare(prior: PropagationModel, sums: FitSums): number {
  const priorPrecision = (prior.shadowingSdDb / (10 * DEFAULT_PRIOR_STRENGTH.exponentSd)) ** 2;
  const spread = sums.n > 0 ? sums.sxx - (sums.sx * sums.sx) / (sums.n + (prior.shadowingSdDb / DEFAULT_PRIOR_STRENGTH.pathLossSdDb) ** 2) : 0;
  return priorPrecision / (priorPrecision + Math.max(0, spread));
}

async function readBatch(tx: TransactionSql, source: FitSource, after: Cursor | undefined, until: Date, p: RadioFitParams): Promise<LinkRow[]> {
  const from = after ?? { processed_at: '-infinity', hash: '' };
  if (source === 'witness') {
    return tx<LinkRow[]>`
      SELECT w.processed_at::text AS processed_at, w.hash, w.signal, w.snr, w.frequency::text AS frequency, w.distance_m, b.tx_power AS tx_power_dbm,
             w.hotspot AS a, hw.gain_ddbi AS a_gain, b.hotspot AS b, hb.gain_ddbi AS b_gain
      FROM witness_reports w
      JOIN beacon_reports b ON b.hash = w.beacon_hash
      JOIN hotspots hw ON hw.address = w.hotspot
      JOIN hotspots hb ON hb.address = b.hotspot
      WHERE w.rssi_margin IS NOT NULL AND w.status = 'valid' AND w.distance_m IS NOT NULL AND w.hotspot <> b.hotspot
        AND (w.processed_at, w.hash) > (${from.processed_at}::text::timestamptz, ${from.hash}::text) AND w.processed_at < ${until}
      ORDER BY w.processed_at, w.hash
      LIMIT ${p.batchSize}`;
  }
  const rows = await tx<(Omit<LinkRow, 'distance_m' | 'tx_power_dbm' | 'b' | 'b_gain'> & { lat: number; lng: number; flat: number; flng: number })[]>`
    SELECT r.processed_at::text AS processed_at, r.hash, r.signal, r.snr, r.frequency::text AS frequency, r.hotspot AS a, h.gain_ddbi AS a_gain,
           h.lat, h.lng, f.lat AS flat, f.lng AS flng
    FROM mapper_receipts r
    JOIN mapper_frames f ON f.id = r.frame_id AND f.status = 'plausible'
    JOIN hotspots h ON h.address = r.hotspot AND h.lat IS NOT NULL AND h.lng IS NOT NULL
    WHERE r.status = 'valid' AND (r.processed_at, r.hash) > (${from.processed_at}::text::timestamptz, ${from.hash}::text) AND r.processed_at < ${until}
    ORDER BY r.processed_at, r.hash
    LIMIT ${p.batchSize}`;
  return rows.map((r) => ({
    ...r,
    distance_m: distanceM({ lat: r.lat, lng: r.lng }, { lat: r.flat, lng: r.flng }),
    tx_power_dbm: p.mapperTxPowerDdbm / 10,
    b: null,
    b_gain: p.mapperGainDdbi,
  }));
}

/** Adds one source's newly verified links to the stored sums; returns how many links were added. */
async function refreshSource(sql: Sql, source: FitSource, p: RadioFitParams, now: Date): Promise<number> {
  const prior = source === 'witness' ? p.witnessPrior : p.mapperPrior;
  const until = new Date(now.getTime() - p.settleMs);
  let added = 0;
  for (let batch = 0; batch < p.maxBatches; batch++) {
    const more = await sql.begin(async (tx) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RADIO_FIT_LOCK}) AS ok`;
      if (!lock?.ok) return false; // another worker is adding the same rows
      const [cursor] = await tx<Cursor[]>`SELECT processed_at::text AS processed_at, hash FROM radio_fit_cursors WHERE source = ${source}`;
      const rows = await readBatch(tx, source, cursor, until, p);
      if (rows.length === 0) return false;
      const fits = new Map<string, HotspotFit>();
      const add = (hotspot: string, row: LinkRow, budgetDbm: number) => {
        const fit = (fits.get(hotspot) ?? new HotspotFit(prior)).add({
          distanceM: row.distance_m,
          frequencyHz: Number(row.frequency),
          linkBudgetDbm: budgetDbm,
          signalDbm: measuredSignalDbm(row.signal / 10, row.snr / 10, prior.noiseFloorDbm),
        });
        fits.set(hotspot, fit);
      };
      for (const row of rows) {
        const budgetDbm = row.tx_power_dbm + (row.a_gain + (row.b_gain ?? 0)) / 10;
        if (!Number.isFinite(budgetDbm) || !(Number(row.frequency) > 0)) continue;
        add(row.a, row, budgetDbm);
        if (row.b) add(row.b, row, budgetDbm);
      }
      const deltas = [...fits].filter(([, f]) => f.sums.n > 0).sort(([a], [b]) => (a < b ? -1 : 1));
      if (deltas.length > 0) {
        const col = (k: keyof FitSums) => deltas.map(([, f]) => f.sums[k]);
        const merged = await tx<({ hotspot: string; gain_ddbi: number } & FitSums)[]>`
          INSERT INTO hotspot_radio_fits AS f (hotspot, source, links, sx, sxx, sy, sxy, syy,
                                              path_loss_1km_db, path_loss_sd_db, exponent, exponent_sd, shadowing_sd_db, prior_share)
          SELECT u.h, ${source}, u.n, u.sx, u.sxx, u.sy, u.sxy, u.syy, 0, 0, 0, 0, 0, 1
          FROM unnest(${deltas.map(([h]) => h)}::text[], ${col('n')}::int[], ${col('sx')}::float8[], ${col('sxx')}::float8[],
                      ${col('sy')}::float8[], ${col('sxy')}::float8[], ${col('syy')}::float8[]) AS u(h, n, sx, sxx, sy, sxy, syy)
          ON CONFLICT (hotspot, source) DO UPDATE SET links = f.links + EXCLUDED.links, sx = f.sx + EXCLUDED.sx, sxx = f.sxx + EXCLUDED.sxx,
            sy = f.sy + EXCLUDED.sy, sxy = f.sxy + EXCLUDED.sxy, syy = f.syy + EXCLUDED.syy
          RETURNING f.hotspot, f.links AS n, f.sx, f.sxx, f.sy, f.sxy, f.syy,
                    (SELECT gain_ddbi FROM hotspots WHERE address = f.hotspot) AS gain_ddbi`;
        for (const m of merged) {
          const sums: FitSums = { n: m.n, sx: m.sx, sxx: m.sxx, sy: m.sy, sxy: m.sxy, syy: m.syy };
          const r = new HotspotFit(prior, sums).result();
          const gain = source === 'witness' ? checkAntennaGain(prior, sums, m.gain_ddbi, p.gainCheck) : null;
          await tx`
            UPDATE hotspot_radio_fits SET path_loss_1km_db = ${r.pathLossAt1kmDb}, path_loss_sd_db = ${r.pathLossSdDb}, exponent = ${r.exponent},
              exponent_sd = ${r.exponentSd}, shadowing_sd_db = ${r.model.shadowingSdDb}, residual_sd_db = ${Number.isFinite(r.residualSdDb) ? r.residualSdDb : null},
              prior_share = ${priorShare(prior, sums)}, gain_verdict = ${gain ? tx.json(JSON.parse(JSON.stringify(gain))) : null}, updated_at = now()
            WHERE hotspot = ${m.hotspot} AND source = ${source}`;
        }
      }
      const last = rows[rows.length - 1]!;
      await tx`
        INSERT INTO radio_fit_cursors (source, processed_at, hash) VALUES (${source}, ${last.processed_at}::text::timestamptz, ${last.hash})
        ON CONFLICT (source) DO UPDATE SET processed_at = EXCLUDED.processed_at, hash = EXCLUDED.hash`;
      added += rows.length;
      return rows.length === p.batchSize;
    });
    if (!more) break;
  }
  return added;
}

/** Adds the links verified since the last refresh to every hotspot's fit (both sources); returns links read. */
export async function updateRadioFits(sql: Sql, p: RadioFitParams = DEFAULT_RADIO_FIT, now = new Date()): Promise<number> {
  return (await refreshSource(sql, 'witness', p, now)) + (await refreshSource(sql, 'mapper', p, now));
}
