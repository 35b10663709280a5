import { cellToChildren, cellToParent } from 'h3-js';
import type { Sql, TransactionSql } from 'postgres';
import { estimateTile, LinkTables, ReachIndex, rollUp, tileCells, tilesInReach, TILE_RESOLUTION, type EstimatedCell, type EstimatedRollup } from './estimate';
import { REFERENCE_DEVICE, type DeviceProfile, type EstimatingHotspot, type UplinkPredictor } from './uplink-predictor';

/** Any constant works; it only has to be the same for every oracle process. */
const ESTIMATE_LOCK_ID = 7_150_190;
/** Tiles rewritten per transaction: small enough that the map never waits long on one. */
const TILES_PER_TRANSACTION = 32;

export interface EstimateRefreshOptions {
  predictor: UplinkPredictor;
  device?: DeviceProfile;
  /** The model's per-hotspot parameters as an opaque key (fitted from its links); '' when it has none. */
  paramsKey?: (address: string) => string;
  /** Recompute every hotspot even if nothing changed (a new model, or repairing the table). */
  full?: boolean;
}

export interface EstimateRefreshResult {
  changedHotspots: number;
  tiles: number;
  cells: number;
}

interface SourceRow {
  hotspot: string;
  lat: number;
  lng: number;
  gain_ddbi: number;
  region: string | null;
  params_key: string;
  model_version: string;
  /** hotspots.availability (1 while never computed). */
  availability: number;
}

const sameSource = (a: SourceRow, b: SourceRow) =>
  a.lat === b.lat && a.lng === b.lng && a.gain_ddbi === b.gain_ddbi && a.region === b.region && a.params_key === b.params_key && a.model_version === b.model_version && a.availability === b.availability;

const asHotspot = (s: SourceRow): EstimatingHotspot => ({ address: s.hotspot, lat: s.lat, lng: s.lng, gainDdbi: s.gain_ddbi, region: s.region, paramsKey: s.params_key, availability: s.availability });

/**
 * Brings estimated_coverage_hexes up to date with the located hotspots. Only hotspots whose location, gain, region,
 * availability (availability.ts), fitted parameters or model changed (or that appeared or lost their location) are looked at: every res-6 tile they
 * reach — before and after the change — is recomputed from all hotspots reaching it, then the res-5 and res-4 rollups
 * above those tiles. One oracle refreshes at a time (advisory lock); the others return at once.
 */
export async function refreshEstimatedCoverage(sql: Sql, options: EstimateRefreshOptions): Promise<EstimateRefreshResult> {
  const reserved = await sql.reserve();
  try {
    const [lock] = await reserved<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${ESTIMATE_LOCK_ID}) AS ok`;
    if (!lock?.ok) return { changedHotspots: 0, tiles: 0, cells: 0 };
    try {
      return await refreshLocked(sql, options);
    } finally {
      await reserved`SELECT pg_advisory_unlock(${ESTIMATE_LOCK_ID})`;
    }
  } finally {
    reserved.release();
  }
}

interface RefreshPlan {
  /** Every located hotspot as the model sees it. */
  hotspots: EstimatingHotspot[];
  /** The located hotspots to recompute (changed, new, or all with `full`): some of `hotspots`, the same objects. */
  changed: EstimatingHotspot[];
  /** Hotspots estimated before that lost their location or are gone. */
  removed: string[];
  /** Tiles any of them reaches, before or after the change. */
  tiles: Set<string>;
}

/**
 * What a refresh recomputes. The rows read here (hotspots and what each was estimated from, 100,000 of each) are
 * dropped on return: the compute that follows holds one small record per hotspot.
 */
async function planRefresh(sql: Sql, options: EstimateRefreshOptions, device: DeviceProfile): Promise<RefreshPlan> {
  const { predictor } = options;
  const located = await sql<Omit<SourceRow, 'params_key' | 'model_version'>[]>`
    SELECT address AS hotspot, lat, lng, gain_ddbi, region, coalesce(availability, 1)::float8 AS availability FROM hotspots WHERE lat IS NOT NULL AND lng IS NOT NULL`;
  const current = new Map<string, SourceRow>(
    located.map((h) => [h.hotspot, { ...h, params_key: options.paramsKey?.(h.hotspot) ?? '', model_version: predictor.version }]),
  );
  const previous = new Map((await sql<SourceRow[]>`SELECT hotspot, lat, lng, gain_ddbi, region, params_key, model_version, availability::float8 AS availability FROM estimated_coverage_sources`).map((s) => [s.hotspot, s]));

  const hotspots: EstimatingHotspot[] = [];
  const changed: EstimatingHotspot[] = [];
  const removed: string[] = [];
  const tiles = new Set<string>();
  for (const [address, now] of current) {
    const hotspot = asHotspot(now);
    hotspots.push(hotspot);
    const before = previous.get(address);
    if (before && !options.full && sameSource(before, now)) continue;
    changed.push(hotspot);
    for (const t of tilesInReach(hotspot, predictor, device)) tiles.add(t);
    if (before) for (const t of tilesInReach(asHotspot(before), predictor, device)) tiles.add(t);
  }
  for (const [address, before] of previous) {
    if (current.has(address)) continue;
    removed.push(address);
    for (const t of tilesInReach(asHotspot(before), predictor, device)) tiles.add(t);
  }
  return { hotspots, changed, removed, tiles };
}

async function refreshLocked(sql: Sql, options: EstimateRefreshOptions): Promise<EstimateRefreshResult> {
  const { predictor } = options;
  const device = options.device ?? REFERENCE_DEVICE;
  const { hotspots, changed, removed, tiles } = await planRefresh(sql, options, device);
  if (changed.length === 0 && removed.length === 0) return { changedHotspots: 0, tiles: 0, cells: 0 };

  const reach = new ReachIndex(hotspots, predictor, device);
  const order = [...tiles].sort();
  const tables = new LinkTables(predictor, device);
  let cells = 0;
  for (let i = 0; i < order.length; i += TILES_PER_TRANSACTION) {
    const batch = order.slice(i, i + TILES_PER_TRANSACTION);
    const rows: (EstimatedCell | EstimatedRollup)[] = [];
    for (const tile of batch) {
      const estimated = estimateTile(tileCells(tile), reach.reaching(tile), tables);
      cells += estimated.length;
      const res8 = rollUp(estimated, 8);
      const res7 = rollUp(res8, 7);
      rows.push(...estimated, ...res8, ...res7, ...rollUp(res7, TILE_RESOLUTION));
    }
    await sql.begin(async (tx) => {
      await tx`DELETE FROM estimated_coverage_hexes WHERE resolution BETWEEN ${TILE_RESOLUTION} AND 9 AND h3 = ANY(${batch.flatMap(tileDescendants)}::text[])`;
      await insertRows(tx, rows);
    });
  }
  await refreshCoarseRollups(sql, order);

  await sql.begin(async (tx) => {
    if (removed.length) await tx`DELETE FROM estimated_coverage_sources WHERE hotspot = ANY(${removed}::text[])`;
    for (let i = 0; i < changed.length; i += 10_000) {
      const chunk = changed.slice(i, i + 10_000);
      await tx`
        INSERT INTO estimated_coverage_sources (hotspot, lat, lng, gain_ddbi, region, params_key, model_version, availability)
        SELECT * FROM unnest(${chunk.map((h) => h.address)}::text[], ${chunk.map((h) => h.lat)}::float8[], ${chunk.map((h) => h.lng)}::float8[],
                             ${chunk.map((h) => h.gainDdbi)}::int[], ${chunk.map((h) => h.region)}::text[], ${chunk.map((h) => h.paramsKey)}::text[],
                             ${chunk.map(() => predictor.version)}::text[], ${chunk.map((h) => h.availability ?? 1)}::real[])
        ON CONFLICT (hotspot) DO UPDATE SET lat = EXCLUDED.lat, lng = EXCLUDED.lng, gain_ddbi = EXCLUDED.gain_ddbi, region = EXCLUDED.region,
          params_key = EXCLUDED.params_key, model_version = EXCLUDED.model_version, availability = EXCLUDED.availability, estimated_at = now()`;
    }
  });
  return { changedHotspots: changed.length + removed.length, tiles: order.length, cells };
}

/** The tile and its res-7, res-8 and res-9 descendants. */
function tileDescendants(tile: string): string[] {
  return [tile, ...cellToChildren(tile, 7), ...cellToChildren(tile, 8), ...cellToChildren(tile, 9)];
}

const asRollup = (x: EstimatedCell | EstimatedRollup, resolution: number) =>
  'coveredCells' in x
    ? x
    : { h3: x.h3, resolution, coveredCells: x.probability, maxProbability: x.probability, maxExpectedHotspots: x.expectedHotspots, bestRssiDbm: x.bestRssiDbm, bestSnrDb: x.bestSnrDb, maxHotspotCount: x.hotspotCount };

async function insertRows(tx: Sql | TransactionSql, items: readonly (EstimatedCell | EstimatedRollup)[]): Promise<void> {
  const rows = items.map((x) => asRollup(x, 9));
  for (let i = 0; i < rows.length; i += 20_000) {
    const chunk = rows.slice(i, i + 20_000);
    await tx`
      INSERT INTO estimated_coverage_hexes (h3, resolution, probability, covered_cells, expected_hotspots, best_rssi, best_snr, hotspot_count)
      SELECT * FROM unnest(${chunk.map((r) => r.h3)}::text[], ${chunk.map((r) => r.resolution)}::smallint[], ${chunk.map((r) => r.maxProbability)}::real[],
                           ${chunk.map((r) => r.coveredCells)}::real[], ${chunk.map((r) => r.maxExpectedHotspots)}::real[],
                           ${chunk.map((r) => Math.round(r.bestRssiDbm * 10))}::int[], ${chunk.map((r) => Math.round(r.bestSnrDb * 10))}::int[],
                           ${chunk.map((r) => r.maxHotspotCount)}::int[])`;
  }
}

interface StoredRow {
  h3: string;
  resolution: number;
  probability: number;
  covered_cells: number;
  expected_hotspots: number;
  best_rssi: number;
  best_snr: number;
  hotspot_count: number;
}

/** Rewrites the res-5 rollups above the given res-6 tiles from their res-6 rows, then res 4 from res 5. */
async function refreshCoarseRollups(sql: Sql, tiles: readonly string[]): Promise<void> {
  let parents = [...new Set(tiles.map((t) => cellToParent(t, 5)))];
  for (const res of [5, 4]) {
    for (let i = 0; i < parents.length; i += 2_000) {
      const chunk = parents.slice(i, i + 2_000);
      await sql.begin(async (tx) => {
        const children = await tx<StoredRow[]>`
          SELECT h3, resolution, probability, covered_cells, expected_hotspots, best_rssi, best_snr, hotspot_count FROM estimated_coverage_hexes
          WHERE resolution = ${res + 1} AND h3 = ANY(${chunk.flatMap((p) => cellToChildren(p, res + 1))}::text[])`;
        const rollups = rollUp(
          children.map((c) => ({ h3: c.h3, resolution: c.resolution, coveredCells: c.covered_cells, maxProbability: c.probability, maxExpectedHotspots: c.expected_hotspots, bestRssiDbm: c.best_rssi / 10, bestSnrDb: c.best_snr / 10, maxHotspotCount: c.hotspot_count })),
          res,
        );
        await tx`DELETE FROM estimated_coverage_hexes WHERE resolution = ${res} AND h3 = ANY(${chunk}::text[])`;
        await insertRows(tx, rollups);
      });
    }
    parents = [...new Set(parents.map((p) => cellToParent(p, 4)))];
  }
}
