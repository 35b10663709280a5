import { estimatePoint, radioPredictor, type DeviceProfile, type EstimatedCell, type EstimatingHotspot, type UplinkPredictor } from '@poc/oracle';
import { cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import type { Sql } from 'postgres';
import { haversineM } from './db/coverage';
import { PeriodicReload } from './periodic-reload';

/** Hotspots are bucketed by res-5 cell (≈250 km²); a point looks at the buckets within reach of its own. */
const BUCKET_RES = 5;
/** Rings of res-5 buckets around a point's bucket: 3 rings reach ≥ 36 km, beyond any hotspot's estimated range (25 km). */
const BUCKET_RINGS = 3;
/** Buckets whose candidate list is kept (a city needs a handful; the whole world would need ~2 million). */
const MAX_CACHED_BUCKETS = 20_000;
/** Beyond this distance from a bucket's centre no hotspot reaches any point in it: 25 km range + 10 km bucket radius. */
const REACH_FROM_BUCKET_CENTRE_M = 35_000;

export type Estimate = Omit<EstimatedCell, 'h3'>;

/**
 * The model's estimate at any point for any device, from the located hotspots held in memory (reloaded every
 * `reloadMs`). The oracle stores the same estimate for the reference device (estimated_coverage_hexes, what the map
 * draws); carriers' answers compute it here for the device they describe, from the same @poc/radio model.
 */
export class HotspotEstimates extends PeriodicReload {
  private buckets = new Map<string, EstimatingHotspot[]>();
  private candidates = new Map<string, EstimatingHotspot[]>();
  ready = false;
  hotspotCount = 0;

  constructor(
    private readonly sql: Sql,
    private readonly predictor: UplinkPredictor = radioPredictor(),
    options: { reloadMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    super({ reloadMs: options.reloadMs ?? 60_000, onError: options.onError });
  }

  async reload(): Promise<void> {
    const rows = await this.sql<{ address: string; lat: number; lng: number; gain_ddbi: number; region: string | null }[]>`
      SELECT address, lat, lng, gain_ddbi, region FROM hotspots WHERE lat IS NOT NULL AND lng IS NOT NULL`;
    const buckets = new Map<string, EstimatingHotspot[]>();
    for (const r of rows) {
      const bucket = latLngToCell(r.lat, r.lng, BUCKET_RES);
      const h: EstimatingHotspot = { address: r.address, lat: r.lat, lng: r.lng, gainDdbi: r.gain_ddbi, region: r.region, paramsKey: '' };
      const list = buckets.get(bucket);
      if (list) list.push(h);
      else buckets.set(bucket, [h]);
    }
    this.buckets = buckets;
    this.candidates = new Map();
    this.hotspotCount = rows.length;
    this.ready = true;
  }

  /** Hotspots that may reach some point of the res-5 cell holding (lat, lng). */
  near(lat: number, lng: number): EstimatingHotspot[] {
    const bucket = latLngToCell(lat, lng, BUCKET_RES);
    let list = this.candidates.get(bucket);
    if (list) return list;
    const [cLat, cLng] = cellToLatLng(bucket);
    list = [];
    for (const b of gridDisk(bucket, BUCKET_RINGS)) for (const h of this.buckets.get(b) ?? []) if (haversineM(cLat, cLng, h.lat, h.lng) <= REACH_FROM_BUCKET_CENTRE_M) list.push(h);
    if (this.candidates.size >= MAX_CACHED_BUCKETS) this.candidates.clear();
    this.candidates.set(bucket, list);
    return list;
  }

  /** The estimate at a point for a device; null until the hotspots are loaded. */
  at(lat: number, lng: number, device: DeviceProfile): Estimate | null {
    if (!this.ready) return null;
    return estimatePoint(lat, lng, this.near(lat, lng), this.predictor, device);
  }
}
