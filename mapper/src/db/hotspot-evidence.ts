import { DEFAULT_TRUST_PARAMS } from '@poc/oracle';
import type { Sql } from 'postgres';

/**
 * What the hotspot page says about a hotspot's radio: its own fitted propagation model (oracle
 * hotspot_radio_fits, oracle/src/plausibility/radio-fit.ts) and the evidence behind its trust score (hotspot_trust,
 * hotspot_flags, the antenna-gain verdict), each finding as a sentence an owner understands beside the numbers.
 */
export interface FittedModel {
  links: number;
  exponent: number;
  exponent_sd: number;
  path_loss_1km_db: number;
  path_loss_sd_db: number;
  shadowing_sd_db: number;
  /** Spread of the hotspot's own links around its fit; null below 3 links. */
  residual_sd_db: number | null;
  /** 0…1: how much of the exponent is still the regional prior. */
  prior_share: number;
  mostly_prior: boolean;
  summary: string;
  updated_at: string;
}

export interface EvidenceReason {
  /**
   * Machine-readable: witness_too_strong | beacons_heard_too_strong | gain_unsupported | closed_group | link_asymmetry |
   * geometry_mismatch | location_mismatch | …
   */
  kind: string;
  /** The same finding in words. */
  message: string;
  detail: Record<string, unknown>;
}

export interface TrustEvidence {
  trust_score: number;
  /** Sentences for the owner: the reasons' messages, or why there are none. */
  summary: string[];
  reasons: EvidenceReason[];
}

/** Fewer links than the oracle's trust score needs are not judged. */
const TRUST_MIN_SAMPLES = DEFAULT_TRUST_PARAMS.minSamples;

interface FitRow {
  source: 'witness' | 'mapper';
  links: number;
  exponent: number;
  exponent_sd: number;
  path_loss_1km_db: number;
  path_loss_sd_db: number;
  shadowing_sd_db: number;
  residual_sd_db: number | null;
  prior_share: number;
  gain_verdict: { flagged?: boolean; reasons?: { kind?: string; links?: number; deficitDb?: number; zScore?: number; assertedGainDdbi?: number; impliedGainDdbi?: number }[] } | null;
  updated_at: Date;
}

interface TrustRow {
  witness_samples: number;
  witness_implausible: number;
  beaconer_samples: number;
  beaconer_implausible: number;
  median_margin: number | null;
  collusion_scale: number;
}

interface FlagRow {
  evidence: string;
  reason: string;
  detail: Record<string, unknown>;
  scale: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function fittedModel(row: FitRow): FittedModel {
  const what = row.source === 'witness' ? 'witness link' : 'mapper measurement';
  const mostlyPrior = row.prior_share > 0.5;
  const spread = row.residual_sd_db === null ? '' : `, its links scatter ${round(row.residual_sd_db, 1)} dB around it`;
  return {
    links: row.links,
    exponent: round(row.exponent, 3),
    exponent_sd: round(row.exponent_sd, 3),
    path_loss_1km_db: round(row.path_loss_1km_db, 1),
    path_loss_sd_db: round(row.path_loss_sd_db, 1),
    shadowing_sd_db: round(row.shadowing_sd_db, 1),
    residual_sd_db: row.residual_sd_db === null ? null : round(row.residual_sd_db, 1),
    prior_share: round(row.prior_share, 3),
    mostly_prior: mostlyPrior,
    summary:
      `Fitted on ${plural(row.links, what)}: signal falls with distance to the power ${round(row.exponent, 2)} ± ${round(row.exponent_sd, 2)}, ` +
      `${round(row.path_loss_1km_db, 1)} dB lost at 1 km${spread}. ` +
      (mostlyPrior ? 'Still mostly the regional model: too few links of its own yet.' : 'Mostly from its own links.'),
    updated_at: row.updated_at.toISOString(),
  };
}

const km = (m: number) => (m < 10_000 ? `${round(m / 1000, 1)} km` : `${Math.round(m / 1000)} km`);
const finite = (...values: unknown[]): boolean => values.every((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * A `location_mismatch` finding (oracle/src/plausibility/location-evidence.ts) in an owner's words, from its numbers;
 * null when they are missing or malformed (the stored operator sentence is shown instead).
 */
export function locationMismatchMessage(detail: Record<string, unknown> | null): string | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const what = (source: unknown, places: number) =>
    source === 'mapper' ? `the mapper devices you heard at ${plural(places, 'place')}` : `the ${plural(places, 'hotspot')} you heard`;
  const sentences: string[] = [];
  const { too_strong_source, too_strong_transmitters, median_excess_db, median_distance_m, geometry_source, geometry_transmitters, shift_m } = detail;
  if (too_strong_source !== undefined) {
    if (!finite(too_strong_transmitters, median_excess_db, median_distance_m)) return null;
    const heard = what(too_strong_source, too_strong_transmitters as number);
    sentences.push(
      `Signals from ${heard} arrived about ${round(median_excess_db as number, 1)} dB stronger than a hotspot ${km(median_distance_m as number)} ` +
        `from them — where your asserted location puts it — could receive: your hotspot is probably closer to them than it says.`,
    );
  }
  if (geometry_source !== undefined) {
    if (!finite(geometry_transmitters, shift_m)) return null;
    const heard = what(geometry_source, geometry_transmitters as number);
    sentences.push(`The signals of ${heard} fit a position about ${km(shift_m as number)} from your asserted location much better than the asserted one.`);
  }
  if (sentences.length === 0) return null;
  sentences.push('Check your asserted location; if it is right, your antenna may simply be placed far better than the model expects (a high mast with an open view).');
  return sentences.map((t) => t.charAt(0).toUpperCase() + t.slice(1)).join(' ');
}

export function trustEvidence(trustScore: number, trust: TrustRow | undefined, flags: readonly FlagRow[], witnessFit: FitRow | undefined): TrustEvidence {
  const reasons: EvidenceReason[] = [];
  if (trust && trust.witness_implausible > 0) {
    reasons.push({
      kind: 'witness_too_strong',
      message:
        `${trust.witness_implausible} of your ${trust.witness_samples} witness reports were stronger than any real radio link at that distance ` +
        `would be: your asserted location may be wrong, or the reports do not come from where you say.`,
      detail: { implausible: trust.witness_implausible, samples: trust.witness_samples, median_margin_db: trust.median_margin === null ? null : trust.median_margin / 10 },
    });
  }
  if (trust && trust.beaconer_implausible > 0) {
    reasons.push({
      kind: 'beacons_heard_too_strong',
      message:
        `${trust.beaconer_implausible} of ${trust.beaconer_samples} reports of your beacons by credible neighbours were stronger than the distance ` +
        `to your asserted location allows: your asserted location may be wrong.`,
      detail: { implausible: trust.beaconer_implausible, samples: trust.beaconer_samples },
    });
  }
  for (const f of flags) {
    const message = (f.evidence === 'location_mismatch' ? locationMismatchMessage(f.detail) : null) ?? f.reason;
    reasons.push({ kind: f.evidence, message, detail: { ...f.detail, reward_factor: f.scale } });
  }
  for (const g of witnessFit?.gain_verdict?.flagged ? (witnessFit.gain_verdict.reasons ?? []) : []) {
    const numbers = [g.deficitDb, g.assertedGainDdbi, g.impliedGainDdbi];
    if (g.kind !== 'gain_unsupported' || !numbers.every((v) => typeof v === 'number' && Number.isFinite(v))) continue;
    reasons.push({
      kind: 'gain_unsupported',
      message:
        `Your ${plural(g.links ?? 0, 'link')} are on average ${round(g.deficitDb!, 1)} dB weaker than the regional model predicts for the ` +
        `${g.assertedGainDdbi! / 10} dBi antenna you asserted; they fit about ${g.impliedGainDdbi! / 10} dBi. Check the asserted gain, the antenna and its cable.`,
      detail: { ...g },
    });
  }
  const samples = (trust?.witness_samples ?? 0) + (trust?.beaconer_samples ?? 0);
  const summary = reasons.map((r) => r.message);
  if (reasons.length === 0) {
    if (samples < TRUST_MIN_SAMPLES) summary.push(`Not enough links yet to judge your location (${samples} of the ${TRUST_MIN_SAMPLES} needed).`);
    else summary.push(`Your ${plural(samples, 'link')} fit the regional radio model well: nothing suggests your asserted location or antenna is wrong.`);
  }
  return { trust_score: trustScore, summary, reasons };
}

export async function hotspotRadioEvidence(sql: Sql, address: string, trustScore: number): Promise<{ radio_model: Record<'witness' | 'mapper', FittedModel | null>; trust_evidence: TrustEvidence }> {
  const [fits, trusts, flags] = await Promise.all([
    sql<FitRow[]>`
      SELECT source, links, exponent, exponent_sd, path_loss_1km_db, path_loss_sd_db, shadowing_sd_db, residual_sd_db, prior_share, gain_verdict, updated_at
      FROM hotspot_radio_fits WHERE hotspot = ${address}`,
    sql<TrustRow[]>`
      SELECT witness_samples, witness_implausible, beaconer_samples, beaconer_implausible, median_margin, collusion_scale FROM hotspot_trust WHERE hotspot = ${address}`,
    sql<FlagRow[]>`SELECT evidence, reason, detail, scale FROM hotspot_flags WHERE hotspot = ${address} ORDER BY evidence`,
  ]);
  const bySource = new Map(fits.map((f) => [f.source, f]));
  const model = (source: 'witness' | 'mapper') => {
    const row = bySource.get(source);
    return row ? fittedModel(row) : null;
  };
  return {
    radio_model: { witness: model('witness'), mapper: model('mapper') },
    trust_evidence: trustEvidence(trustScore, trusts[0], flags, bySource.get('witness')),
  };
}
