import { parseLoraDatarate, type Datarate } from '@poc/protocol';
import {
  checkLocation,
  DEFAULT_LOCATION_CHECK,
  DEFAULT_SITE_SPLIT,
  DEMOD_SNR_FLOOR_DB,
  DEVICE_SITE_SD_DB,
  measuredSignalDbm,
  meanSignalDbm,
  normalCdf,
  OUTDOOR_LINK_PRIOR,
  REGIONAL_PRIOR,
  siteAwareModel,
  splitOfModel,
  type HeardTransmitter,
  type LocationCheckParams,
  type LocationReason,
  type LocationVerdict,
  type PropagationModel,
  type SiteSplit,
  type SiteSplitParams,
} from '@poc/radio';
import type { Sql } from 'postgres';
import type { Evidence } from './collusion';
import { distanceM, median } from './link-graph';
import type { LocatedHotspot } from './location-schedule';
import { DEFAULT_RADIO_FIT } from './radio-fit';
import { NO_SITE_SPLITS, siteSplitFor, type SiteSplits } from './site-split';

/**
 * Is each hotspot's asserted location consistent with what it hears? @poc/radio's checkLocation
 * (packages/radio/README.md §Location plausibility) on the hotspot's own receptions in the trust window: the witness
 * links it reported (transmitter: the beaconer at its asserted position) and the mapper frames it heard (transmitter:
 * the frame's GPS fix). A flag is a `location_mismatch` finding in hotspot_flags with the numbers behind it.
 *
 * Each source is judged against its own calibrated prior, as the per-hotspot fits are (radio-fit.ts): witness links
 * are rooftop to rooftop (OUTDOOR_LINK_PRIOR), mapper devices are at street level (REGIONAL_PRIOR, the prior the
 * spoof evaluation calibrated the thresholds on). Mixing them in one check would need one model for both.
 *
 * No site history: the hotspot's own fit (hotspot_radio_fits) is accumulated at the distances from the location under
 * test, so a spoofer's fit has already absorbed the very excess this check looks for — using it would be circular.
 * A fit from an earlier, different asserted location would not be, but the fits do not record where they were made.
 * Instead the regional prior's spread is split into the hotspot's site (common to all its links) and the rest: see
 * @poc/radio's `siteAwareModel`. The split is estimated per region from the per-hotspot fits at each trust refresh
 * (site-split.ts); with too few hotspots for an estimate, the check's prior split (withinHotspotSdDb, τ² = σ² − σ_within²).
 *
 * A witness link's transmitter position is the beaconer's *asserted* one, which may be the lie: an honest hotspot
 * hearing a spoofer's beacons strongly from "30 km away" would otherwise be moved towards that false position by the
 * position search. So beaconers whose asserted location credible witnesses already dispute (their beaconer-role trust,
 * trust.ts) are no reference point: their beacons are left out of everyone's check (as trust counts evidence against
 * the party that produced it).
 */
export type HeardSource = 'witness' | 'mapper';

/** How one source's receptions are judged. */
export interface SourceCheck {
  model: PropagationModel;
  check: LocationCheckParams;
  /** Judge signals against the model's mean given that they were received (`againstReceivedMean`), or as they are. */
  receivedMean: boolean;
  /** How the site split is estimated from the fits (site-split.ts; @poc/radio estimateSiteSplit). */
  split: SiteSplitParams;
}

export interface LocationEvidenceParams {
  witness: SourceCheck;
  mapper: SourceCheck;
  /**
   * Most recent receptions read per hotspot and source: bounds the memory and the check's work (its position search
   * evaluates every transmitter position ~2,500 times) for a hotspot flooding reports, whatever the window holds.
   */
  maxLinksPerSource: number;
  /** Hotspots whose receptions are read in one query. */
  hotspotsPerBatch: number;
  /** Mapper devices' power and gain, which their frames do not carry (as the mapper fit assumes, radio-fit.ts). */
  mapperTxPowerDdbm: number;
  mapperGainDdbi: number;
}

export const DEFAULT_LOCATION_EVIDENCE: LocationEvidenceParams = {
  witness: {
    model: OUTDOOR_LINK_PRIOR,
    // Of a witness link's 12 dB spread, the receiving hotspot's site is 6 dB (the simulator's calibrated split,
    // DEVICE_SITE_SD_DB); the rest — the beaconer's site, the path, the packet — differs link by link.
    check: { ...DEFAULT_LOCATION_CHECK, withinHotspotSdDb: Math.sqrt(OUTDOOR_LINK_PRIOR.shadowingSdDb ** 2 - DEVICE_SITE_SD_DB ** 2) },
    // No real witness data set calibrates the thresholds: the selection of what is heard is corrected for explicitly.
    receivedMean: true,
    // The received links' mean excess is mostly that selection, which the received mean already corrects. The site
    // part is never taken below the calibrated split's (the estimate widens the test, never tightens it).
    split: { ...DEFAULT_SITE_SPLIT, meanOffsetIsSiteSpread: false, siteFloorDb: DEVICE_SITE_SD_DB, ceilingDb: OUTDOOR_LINK_PRIOR.shadowingSdDb },
  },
  mapper: {
    model: REGIONAL_PRIOR,
    // Device→hotspot links as the spoof evaluation calibrated the thresholds on them: real receptions as they arrive
    // (their selection included), 8 dB within one hotspot.
    check: DEFAULT_LOCATION_CHECK,
    receivedMean: false,
    // Not below the split the thresholds were calibrated with: where the prior does not fit the region, its mean
    // offset is bias rather than spread, and counting it as spread under-widens (README.md §Radio model and spoof
    // detection: 10.3 % honest on Antwerp with the CampusIoT prior and the bare estimate).
    split: { ...DEFAULT_SITE_SPLIT, siteFloorDb: splitOfModel(REGIONAL_PRIOR, DEFAULT_LOCATION_CHECK.withinHotspotSdDb).siteSdDb, ceilingDb: REGIONAL_PRIOR.shadowingSdDb },
  },
  maxLinksPerSource: 200,
  hotspotsPerBatch: 200,
  mapperTxPowerDdbm: DEFAULT_RADIO_FIT.mapperTxPowerDdbm,
  mapperGainDdbi: DEFAULT_RADIO_FIT.mapperGainDdbi,
};

/** A reception, with the weakest signal its receiver could have demodulated (noise + the spreading factor's floor). */
export interface HeardLink extends HeardTransmitter {
  sensitivityDbm: number;
}

export interface HeardLinks {
  asserted: { lat: number; lng: number };
  witness: HeardLink[];
  mapper: HeardLink[];
}

interface HeardRow {
  hotspot: string;
  source: HeardSource;
  lat: number;
  lng: number;
  signal: number;
  snr: number;
  frequency: string;
  datarate: string;
  tx_power_ddbm: number;
  tx_gain_ddbi: number;
  rx_gain_ddbi: number;
}

/**
 * What each of `hotspots` heard in the window as receiver, at most `maxLinksPerSource` most recent receptions per
 * source: witness reports matched to a located beaconer's beacon (any verdict but duplicate — a report that failed a
 * check is the evidence) from beaconers not in `disputedBeaconers`, and valid mapper receipts of plausible frames.
 */
export async function loadHeardLinks(
  sql: Sql,
  hotspots: readonly LocatedHotspot[],
  since: Date,
  p: LocationEvidenceParams = DEFAULT_LOCATION_EVIDENCE,
  disputedBeaconers: readonly string[] = [],
): Promise<Map<string, HeardLinks>> {
  const heard = new Map<string, HeardLinks>(hotspots.map((h) => [h.address, { asserted: { lat: h.lat, lng: h.lng }, witness: [], mapper: [] }]));
  if (hotspots.length === 0) return heard;
  const addresses = hotspots.map((h) => h.address);
  // One index walk per hotspot and source ((hotspot, received_at DESC)), stopped by the LIMIT.
  const rows = await sql<HeardRow[]>`
    SELECT h.address AS hotspot, 'witness' AS source, l.lat, l.lng, l.signal, l.snr, l.frequency::text AS frequency, l.datarate,
           l.tx_power_ddbm, l.tx_gain_ddbi, h.gain_ddbi AS rx_gain_ddbi
    FROM hotspots h CROSS JOIN LATERAL (
      SELECT hb.lat, hb.lng, w.signal, w.snr, w.frequency, w.datarate, b.tx_power * 10 AS tx_power_ddbm, hb.gain_ddbi AS tx_gain_ddbi
      FROM witness_reports w
      JOIN beacon_reports b ON b.hash = w.beacon_hash
      JOIN hotspots hb ON hb.address = b.hotspot AND hb.lat IS NOT NULL AND hb.lng IS NOT NULL
      WHERE w.hotspot = h.address AND w.received_at >= ${since} AND w.processed_at IS NOT NULL AND b.hotspot <> h.address
        AND w.reason IS DISTINCT FROM 'duplicate' AND b.hotspot <> ALL(${disputedBeaconers as string[]}::text[])
      ORDER BY w.received_at DESC LIMIT ${p.maxLinksPerSource}) l
    WHERE h.address = ANY(${addresses}::text[])
    UNION ALL
    SELECT h.address, 'mapper', l.lat, l.lng, l.signal, l.snr, l.frequency::text, l.datarate, ${p.mapperTxPowerDdbm}::int, ${p.mapperGainDdbi}::int, h.gain_ddbi
    FROM hotspots h CROSS JOIN LATERAL (
      SELECT f.lat, f.lng, r.signal, r.snr, r.frequency, r.datarate
      FROM mapper_receipts r JOIN mapper_frames f ON f.id = r.frame_id AND f.status = 'plausible'
      WHERE r.hotspot = h.address AND r.received_at >= ${since} AND r.status = 'valid'
      ORDER BY r.received_at DESC LIMIT ${p.maxLinksPerSource}) l
    WHERE h.address = ANY(${addresses}::text[])`;
  for (const r of rows) {
    const { model } = p[r.source];
    heard.get(r.hotspot)![r.source].push({
      lat: r.lat,
      lng: r.lng,
      signalDbm: measuredSignalDbm(r.signal / 10, r.snr / 10, model.noiseFloorDbm),
      frequencyHz: Number(r.frequency),
      txPowerDdbm: r.tx_power_ddbm,
      txGainDdbi: r.tx_gain_ddbi,
      rxGainDdbi: r.rx_gain_ddbi,
      sensitivityDbm: sensitivityDbm(model, r.datarate),
    });
  }
  return heard;
}

/** Noise plus the spreading factor's demodulation floor; −∞ (no selection assumed) for a datarate that is not LoRa. */
function sensitivityDbm(model: PropagationModel, datarate: string): number {
  const lora = parseLoraDatarate(datarate as Datarate);
  const floor = lora ? DEMOD_SNR_FLOOR_DB[lora.spreadingFactor] : undefined;
  if (!lora || floor === undefined || !(lora.bandwidthKhz > 0)) return Number.NEGATIVE_INFINITY;
  return model.noiseFloorDbm + 10 * Math.log10(lora.bandwidthKhz / 125) + floor;
}

/** Inverse Mills ratio φ(a) / (1 − Φ(a)): the mean of a standard normal given that it exceeds a. */
function millsRatio(a: number): number {
  if (a > 8) return a + 1 / a - 2 / a ** 3;
  return Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI) / normalCdf(-a);
}

/**
 * Only receptions are reported: a link whose mean signal at the asserted distance is near or below the receiver's
 * sensitivity is heard only when its shadowing was favourable, so what arrives is stronger than the model's mean
 * even for an honest hotspot (on the simulated fleet the median z was +1 without this). Each signal is taken against
 * the mean *given that it was received* at the asserted distance, E[S | S > sensitivity] = μ + σ·λ((sens − μ)/σ):
 * far honest links lose their bias, while a spoofer's neighbours — asserted tens of km away, heard as from a few —
 * stay far above even that.
 */
function againstReceivedMean(model: PropagationModel, asserted: { lat: number; lng: number }, t: HeardLink): HeardTransmitter {
  const mean = meanSignalDbm(model, { ...t, distanceM: distanceM(asserted, t) });
  const bias = Number.isFinite(t.sensitivityDbm) ? model.shadowingSdDb * millsRatio((t.sensitivityDbm - mean) / model.shadowingSdDb) : 0;
  return { ...t, signalDbm: t.signalDbm - (Number.isFinite(bias) ? bias : 0) };
}

export interface SourceVerdict {
  source: HeardSource;
  links: number;
  verdict: LocationVerdict;
  /** Median distance from the asserted location to the links' transmitters, m. */
  medianDistanceM: number;
}

/**
 * checkLocation on one source's receptions: `too_strong` with the site-aware σ (on the signals against the received
 * mean where the source asks for it; the estimated `split` of the hotspot's region, or the check's prior split),
 * `geometry` on the signals as heard (the position search moves every distance, so no one correction applies; its
 * σ stays the check's withinHotspotSdDb, with which its threshold was calibrated).
 */
export function judgeSource(
  source: HeardSource,
  asserted: { lat: number; lng: number },
  heard: readonly HeardLink[],
  p: LocationEvidenceParams = DEFAULT_LOCATION_EVIDENCE,
  split: SiteSplit | null = null,
): SourceVerdict | null {
  if (heard.length === 0) return null;
  const { model, check, receivedMean } = p[source];
  const noSearch = { ...check, minTransmittersForGeometry: Number.POSITIVE_INFINITY };
  const corrected = receivedMean ? heard.map((t) => againstReceivedMean(model, asserted, t)) : heard;
  // A first pass counts the distinct positions (Stouffer's N), the second is the test.
  const { transmitters } = checkLocation(model, asserted, corrected, noSearch);
  if (transmitters === 0) return null;
  const sited = split ? siteAwareModel(model, transmitters, split.withinSdDb, split.siteSdDb) : siteAwareModel(model, transmitters, check.withinHotspotSdDb);
  const strength = checkLocation(sited, asserted, corrected, noSearch);
  const geometry = transmitters >= check.minTransmittersForGeometry ? checkLocation(model, asserted, heard, check) : null;
  const reasons = [...strength.reasons, ...(geometry?.reasons.filter((r) => r.kind === 'geometry') ?? [])];
  const verdict: LocationVerdict = { flagged: reasons.length > 0, reasons, tooStrongZ: strength.tooStrongZ, geometryChi2: geometry?.geometryChi2 ?? null, transmitters };
  return { source, links: heard.length, verdict, medianDistanceM: median(heard.map((t) => distanceM(asserted, t))) };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** One `location_mismatch` finding from the flagged sources' reasons (the strongest of each kind), or null. */
export function locationFinding(hotspot: string, verdicts: readonly SourceVerdict[]): Evidence | null {
  const flagged = verdicts.filter((v) => v.verdict.flagged);
  if (flagged.length === 0) return null;
  const count = (source: HeardSource) => verdicts.find((v) => v.source === source);
  const detail: Evidence['detail'] = {
    witness_links: count('witness')?.links ?? 0,
    witness_transmitters: count('witness')?.verdict.transmitters ?? 0,
    mapper_receipts: count('mapper')?.links ?? 0,
    mapper_transmitters: count('mapper')?.verdict.transmitters ?? 0,
  };
  const sentences: string[] = [];
  const strongest = <K extends LocationReason['kind']>(kind: K, size: (r: Extract<LocationReason, { kind: K }>) => number) => {
    let best: { v: SourceVerdict; r: Extract<LocationReason, { kind: K }> } | null = null;
    for (const v of flagged) {
      for (const r of v.verdict.reasons) {
        if (r.kind !== kind) continue;
        const reason = r as Extract<LocationReason, { kind: K }>;
        if (!best || size(reason) > size(best.r)) best = { v, r: reason };
      }
    }
    return best;
  };
  const tooStrong = strongest('too_strong', (r) => r.zScore);
  if (tooStrong) {
    Object.assign(detail, {
      too_strong_source: tooStrong.v.source,
      z: round1(tooStrong.r.zScore),
      too_strong_transmitters: tooStrong.r.transmitters,
      median_excess_db: round1(tooStrong.r.medianExcessDb),
      median_distance_m: Math.round(tooStrong.v.medianDistanceM),
    });
    sentences.push(
      `its ${tooStrong.v.source === 'witness' ? 'witness links' : 'mapper receipts'} from ${tooStrong.r.transmitters} positions are ` +
        `${round1(tooStrong.r.medianExcessDb)} dB (median) above the model at a median ${Math.round(tooStrong.v.medianDistanceM)} m (Stouffer z ${round1(tooStrong.r.zScore)})`,
    );
  }
  const geometry = strongest('geometry', (r) => r.chi2);
  if (geometry) {
    Object.assign(detail, {
      geometry_source: geometry.v.source,
      chi2: round1(geometry.r.chi2),
      geometry_transmitters: geometry.r.transmitters,
      shift_m: Math.round(geometry.r.bestShiftM),
    });
    sentences.push(
      `its ${geometry.v.source === 'witness' ? 'witness links' : 'mapper receipts'} from ${geometry.r.transmitters} positions fit a position ` +
        `${Math.round(geometry.r.bestShiftM)} m away better (χ² ${round1(geometry.r.chi2)})`,
    );
  }
  return { hotspot, kind: 'location_mismatch', reason: `asserted location contradicted by what it hears: ${sentences.join('; ')}`, detail };
}

/**
 * The location check of `hotspots` over the window, in batches (which hotspots are due: location-schedule.ts).
 * `disputedBeaconers`: hotspots whose beacons are no reference point (see above); `splits`: the site splits estimated
 * at this refresh (site-split.ts).
 */
export async function locationEvidence(
  sql: Sql,
  hotspots: readonly LocatedHotspot[],
  since: Date,
  p: LocationEvidenceParams = DEFAULT_LOCATION_EVIDENCE,
  disputedBeaconers: readonly string[] = [],
  splits: SiteSplits = NO_SITE_SPLITS,
): Promise<Evidence[]> {
  const evidence: Evidence[] = [];
  const regionOf = new Map(hotspots.map((h) => [h.address, h.region]));
  for (let i = 0; i < hotspots.length; i += p.hotspotsPerBatch) {
    for (const [hotspot, heard] of await loadHeardLinks(sql, hotspots.slice(i, i + p.hotspotsPerBatch), since, p, disputedBeaconers)) {
      const verdicts = (['witness', 'mapper'] as const).flatMap(
        (source) => judgeSource(source, heard.asserted, heard[source], p, siteSplitFor(splits, source, regionOf.get(hotspot))) ?? [],
      );
      const finding = locationFinding(hotspot, verdicts);
      if (finding) evidence.push(finding);
    }
  }
  return evidence;
}
