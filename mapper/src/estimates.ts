import { radioPredictor, type DeviceProfile, type EstimatedCell, type UplinkPredictor } from '@poc/oracle';
import { CALIBRATION_MIN_FRAMES, isCalibrationMap, type CalibrationMap, type DeviceEnvironment } from '@poc/radio';
import { cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';
import { haversineM } from './db/coverage';
import { H3Slots } from './h3-slots';
import { candidatesOf, deviceKey, LinkTables, type Candidates, type ClassedHotspot } from './link-tables';
import { PeriodicReload } from './periodic-reload';

/** Hotspots are bucketed by res-5 cell (≈250 km²); a point looks at the buckets within reach of its own. */
const BUCKET_RES = 5;
/**
 * Rings of res-5 buckets around a point's bucket, enough for any hotspot's estimated range (25 km) plus
 * BUCKET_RADIUS_M: 3 rings reach only 34.7 km around some cells (sampled over the globe), 4 rings ≥ 44 km.
 */
const BUCKET_RINGS = 4;
/**
 * (bucket, device) candidate lists kept (a city needs a handful of buckets per device asked about; the whole world
 * would need ~2 million buckets). Each list is at most one bucket's hotspots in reach, so this bounds memory as one
 * list per bucket did.
 */
const MAX_CACHED_CANDIDATE_LISTS = 20_000;
/**
 * No point of a res-5 bucket is farther than this from its centre: the largest circumradius over all 2,016,842 res-5
 * cells is 10.84 km (great circle), plus room for nearDistanceM's flat-earth approximation.
 */
const BUCKET_RADIUS_M = 11_000;
/** Cell estimates kept over all devices (≈ 200 bytes each, so ≤ 40 MB); past it they are dropped and recomputed on demand. */
const MAX_CACHED_CELL_ESTIMATES = 200_000;

/**
 * The reliability map an environment's answers go through (oracle confidence_calibrations; packages/radio/README.md
 * §Calibration on real data, "Recalibration"). One object per environment, updated in place by each reload, so kept
 * cell estimates always read the current map.
 */
export interface ConfidenceCalibration {
  /** null: no map with CALIBRATION_MIN_FRAMES frames yet, the model's probability answers. */
  map: Pick<CalibrationMap, 'raw' | 'calibrated'> | null;
  /** The answers' `confidence_basis` for estimated cells: 'model', or 'calibrated on N mapper frames'. */
  basis: string;
}

export type Estimate = Omit<EstimatedCell, 'h3'> & { calibration?: ConfidenceCalibration };

/** One device's kept cell estimates: the cell's slot (H3Slots, no string hashed per lookup) indexes `estimates`. */
interface KeptEstimates {
  slots: H3Slots;
  estimates: Estimate[];
}

/**
 * The model's estimate at any point for any device, from the located hotspots held in memory (reloaded every
 * `reloadMs`). The oracle stores the same estimate for the reference device (estimated_coverage_hexes, what the map
 * draws); carriers' answers compute it here for the device they describe, from the same @poc/radio model.
 */
export class HotspotEstimates extends PeriodicReload {
  private buckets = new Map<string, ClassedHotspot[]>();
  private candidates = new Map<string, Candidates>();
  /** Kept across reloads: the tables depend on the hotspot classes, not on where hotspots are. */
  private readonly tables: LinkTables;
  /** Estimates at res-9 cell centres by device, kept until the located hotspots change. */
  private cellEstimates = new Map<number, KeptEstimates>();
  private cachedCellCount = 0;
  private readonly calibrations: Record<DeviceEnvironment, ConfidenceCalibration> = { outdoor: { map: null, basis: 'model' }, indoor: { map: null, basis: 'model' } };
  /** Digest of the located hotspots (and their availability) last loaded: a reload that finds the same ones keeps the cached cells. */
  private loadedDigest = '';
  ready = false;
  hotspotCount = 0;

  constructor(
    private readonly sql: Sql,
    predictor: UplinkPredictor = radioPredictor(),
    options: { reloadMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    super({ reloadMs: options.reloadMs ?? 60_000, onError: options.onError });
    this.tables = new LinkTables(predictor);
  }

  async reload(): Promise<void> {
    await this.reloadCalibrations();
    // availability: the oracle's share of time each hotspot is up (oracle/README.md §Estimated coverage); NULL, never
    // computed, counts as always up.
    const rows = await this.sql<{ address: string; lat: number; lng: number; gain_ddbi: number; region: string | null; availability: number }[]>`
      SELECT address, lat, lng, gain_ddbi, region, coalesce(availability, 1)::float8 AS availability
      FROM hotspots WHERE lat IS NOT NULL AND lng IS NOT NULL ORDER BY address`;
    const digest = createHash('sha256');
    for (const r of rows) digest.update(`${r.address},${r.lat},${r.lng},${r.gain_ddbi},${r.region},${r.availability}\n`);
    const loaded = digest.digest('base64');
    if (this.ready && loaded === this.loadedDigest) return;
    const buckets = new Map<string, ClassedHotspot[]>();
    for (const r of rows) {
      const bucket = latLngToCell(r.lat, r.lng, BUCKET_RES);
      const h = this.tables.classed({ address: r.address, lat: r.lat, lng: r.lng, gainDdbi: r.gain_ddbi, region: r.region, paramsKey: '', availability: r.availability });
      const list = buckets.get(bucket);
      if (list) list.push(h);
      else buckets.set(bucket, [h]);
    }
    this.buckets = buckets;
    this.candidates = new Map();
    this.cellEstimates = new Map();
    this.cachedCellCount = 0;
    this.loadedDigest = loaded;
    this.hotspotCount = rows.length;
    this.ready = true;
  }

  /** The oracle's fitted maps; one with fewer than CALIBRATION_MIN_FRAMES frames, none, or knots that are not a valid map leaves the model's probability. */
  private async reloadCalibrations(): Promise<void> {
    const rows = await this.sql<{ environment: DeviceEnvironment; knots_raw: number[]; knots_calibrated: number[]; frames: string }[]>`
      SELECT environment, knots_raw, knots_calibrated, frames::text FROM confidence_calibrations`;
    for (const environment of ['outdoor', 'indoor'] as const) {
      const row = rows.find((r) => r.environment === environment);
      const frames = row ? Number(row.frames) : 0;
      const usable = row !== undefined && frames >= CALIBRATION_MIN_FRAMES && row.knots_raw.length > 0 && isCalibrationMap(row.knots_raw, row.knots_calibrated);
      const calibration = this.calibrations[environment];
      calibration.map = usable ? { raw: row.knots_raw, calibrated: row.knots_calibrated } : null;
      calibration.basis = usable ? `calibrated on ${frames} mapper frames` : 'model';
    }
  }

  /** The reliability map answers for `device` go through. */
  calibrationFor(device: DeviceProfile): ConfidenceCalibration {
    return this.calibrations[device.indoor ? 'indoor' : 'outdoor'];
  }

  /**
   * Hotspots that may hear the device at some point of the res-5 cell holding (lat, lng): those within their class's
   * reach for this device (the predictor's range, beyond which p < MIN_LINK_PROBABILITY) of the bucket plus its
   * radius. An indoor or SF7 device is heard only by nearer hotspots, so a point then passes over fewer of them; the
   * others would be skipped by the estimate's own range check anyway, so the answer is unchanged.
   */
  near(lat: number, lng: number, device: DeviceProfile): Candidates {
    const bucket = latLngToCell(lat, lng, BUCKET_RES);
    const key = `${bucket}|${deviceKey(device)}`;
    const kept = this.candidates.get(key);
    if (kept) return kept;
    const [cLat, cLng] = cellToLatLng(bucket);
    const list: ClassedHotspot[] = [];
    for (const b of gridDisk(bucket, BUCKET_RINGS)) {
      for (const h of this.buckets.get(b) ?? []) if (haversineM(cLat, cLng, h.lat, h.lng) <= this.tables.reachM(h, device) + BUCKET_RADIUS_M) list.push(h);
    }
    if (this.candidates.size >= MAX_CACHED_CANDIDATE_LISTS) this.candidates.clear();
    const candidates = candidatesOf(list);
    this.candidates.set(key, candidates);
    return candidates;
  }

  /** The estimate at a point for a device; null until the hotspots are loaded. */
  at(lat: number, lng: number, device: DeviceProfile): Estimate | null {
    if (!this.ready) return null;
    const estimate = this.tables.estimate(lat, lng, this.near(lat, lng, device), device);
    estimate.calibration = this.calibrationFor(device);
    return estimate;
  }

  /**
   * The estimate at a res-9 cell's centre (what area and route cells and the oracle's stored map estimate use) for a
   * device; null until the hotspots are loaded. Kept per device and cell: a city's point queries keep asking for the
   * same cells, and a kept one costs a map read instead of a pass over the hotspots in reach.
   */
  atCell(h3: string, device: DeviceProfile): Estimate | null {
    if (!this.ready) return null;
    const key = deviceKey(device);
    let cells = this.cellEstimates.get(key);
    const slot = cells?.slots.get(h3);
    if (slot !== undefined) return cells!.estimates[slot]!;
    const [lat, lng] = cellToLatLng(h3);
    const candidates = this.near(lat, lng, device);
    const estimate = this.tables.estimate(lat, lng, candidates, device);
    estimate.calibration = this.calibrationFor(device);
    // No hotspot in reach of the cell's bucket: nothing to save by keeping it (most cells of the world), so it takes no room.
    if (candidates.hotspots.length === 0) return estimate;
    if (this.cachedCellCount >= MAX_CACHED_CELL_ESTIMATES) {
      this.cellEstimates = new Map();
      this.cachedCellCount = 0;
      cells = undefined;
    }
    if (!cells) this.cellEstimates.set(key, (cells = { slots: new H3Slots(), estimates: [] }));
    if (cells.slots.set(h3, cells.estimates.length)) {
      cells.estimates.push(estimate);
      this.cachedCellCount++;
    }
    return estimate;
  }
}
