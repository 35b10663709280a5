import { cellToChildren, cellToLatLng, cellToParent, gridDisk, gridDiskDistances, latLngToCell } from 'h3-js';
import { anyFromLogMiss, availabilityOf, COMMON_SHADOWING_NODES, conditionalLogMiss, DEVICE_SITE_SD_DB } from '@poc/radio';
import type { DeviceProfile, EstimatingHotspot, UplinkPrediction, UplinkPredictor } from './uplink-predictor';

/**
 * Estimated coverage is computed a res-6 tile at a time: the tile's 343 res-9 cells get their centres once and every
 * hotspot that reaches the tile is folded into flat arrays, so 100,000 hotspots cost no per-cell map or string work.
 */
export const TILE_RESOLUTION = 6;
/** A hotspot is counted at a cell while one uplink reaches it with at least this probability. */
export const MIN_LINK_PROBABILITY = 0.1;
/** No res-6 cell reaches further than this from its centre (average edge 3.7 km; distortion stays well under). */
const TILE_RADIUS_M = 5_000;
/** Nearest res-6 neighbours are at least this far apart, so gridDisk(k) with k = ⌈reach / spacing⌉ holds every tile in reach. */
const TILE_MIN_SPACING_M = 5_000;
const M_PER_DEG_LAT = 111_195;

/** One res-9 cell's estimate for one device profile. */
export interface EstimatedCell {
  h3: string;
  /**
   * Probability one uplink is received by at least one hotspot, each counted as up with its availability a_i and the
   * device-end shadowing common to all of them (@poc/radio combineWithCommonShadowing; packages/radio/README.md
   * §Estimated coverage).
   */
  probability: number;
  /** Expected number of hotspots hearing one uplink: Σ a_i·p_i (a_i: the hotspot's availability). */
  expectedHotspots: number;
  /** Strongest predicted median signal at any hotspot (dBm, dB). */
  bestRssiDbm: number;
  bestSnrDb: number;
  /** Hotspots with p_i ≥ MIN_LINK_PROBABILITY (the radio link alone: in reach, up or not). */
  hotspotCount: number;
}

/** Distance in metres between two nearby points (equirectangular; < 0.1 % off within 20 km). */
export function nearDistanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dy = (lat2 - lat1) * M_PER_DEG_LAT;
  const dx = (lng2 - lng1) * M_PER_DEG_LAT * Math.cos(((lat1 + lat2) / 2) * (Math.PI / 180));
  return Math.sqrt(dx * dx + dy * dy);
}

/** Tile centres, shared by the many hotspots whose reach they fall in; bounded. */
const tileCentres = new Map<string, [number, number]>();
function tileCentre(tile: string): [number, number] {
  let c = tileCentres.get(tile);
  if (!c) {
    if (tileCentres.size >= 200_000) tileCentres.clear();
    c = cellToLatLng(tile) as [number, number];
    tileCentres.set(tile, c);
  }
  return c;
}

/** gridDisk radius around a hotspot's home tile that holds every tile within `reachM` of it. */
const ringsFor = (reachM: number) => Math.ceil(reachM / TILE_MIN_SPACING_M);

/** Res-6 tiles a hotspot reaches for `device`: those whose centre is within its range plus TILE_RADIUS_M. */
export function tilesInReach(hotspot: EstimatingHotspot, predictor: UplinkPredictor, device: DeviceProfile): string[] {
  const reachM = predictor.rangeM(hotspot, device, MIN_LINK_PROBABILITY) + TILE_RADIUS_M;
  const home = latLngToCell(hotspot.lat, hotspot.lng, TILE_RESOLUTION);
  const out: string[] = [];
  for (const tile of gridDisk(home, ringsFor(reachM))) {
    const [lat, lng] = tileCentre(tile);
    if (nearDistanceM(hotspot.lat, hotspot.lng, lat, lng) <= reachM) out.push(tile);
  }
  return out;
}

/**
 * Which hotspots reach a tile (exactly the tiles tilesInReach gives each of them), asked a tile at a time: the
 * hotspots are filed by their res-6 home tile, and a tile looks at the homes around it. Holds a few numbers per
 * hotspot, not a list per tile: 100,000 hotspots reach ~70 tiles each, and 7 million list entries held for the whole
 * refresh were most of its live heap (oracle/README.md §Estimated coverage, memory).
 */
export class ReachIndex {
  private readonly byHome = new Map<string, number[]>();
  /** Per hotspot: how far a tile centre may be (range + TILE_RADIUS_M) and the gridDisk radius tilesInReach uses. */
  private readonly reachM: Float64Array;
  private readonly rings: Int32Array;
  private readonly maxRings: number;

  /** `hotspots` in the order each tile's list keeps (the order their links are summed in). */
  constructor(
    private readonly hotspots: readonly EstimatingHotspot[],
    predictor: UplinkPredictor,
    device: DeviceProfile,
  ) {
    this.reachM = new Float64Array(hotspots.length);
    this.rings = new Int32Array(hotspots.length);
    let maxRings = 0;
    hotspots.forEach((h, i) => {
      this.reachM[i] = predictor.rangeM(h, device, MIN_LINK_PROBABILITY) + TILE_RADIUS_M;
      this.rings[i] = ringsFor(this.reachM[i]!);
      maxRings = Math.max(maxRings, this.rings[i]!);
      const home = latLngToCell(h.lat, h.lng, TILE_RESOLUTION);
      const filed = this.byHome.get(home);
      if (filed) filed.push(i);
      else this.byHome.set(home, [i]);
    });
    this.maxRings = maxRings;
  }

  /**
   * The hotspots reaching `tile`, in the given order. A hotspot's tilesInReach holds the tile when the tile is within
   * its gridDisk radius of its home — grid distance is symmetric, so when its home is within that radius of the tile —
   * and the tile's centre within its reach.
   */
  reaching(tile: string): EstimatingHotspot[] {
    const [lat, lng] = tileCentre(tile);
    const found: number[] = [];
    gridDiskDistances(tile, this.maxRings).forEach((ring, distance) => {
      for (const home of ring) {
        for (const i of this.byHome.get(home) ?? []) {
          const h = this.hotspots[i]!;
          if (this.rings[i]! >= distance && nearDistanceM(h.lat, h.lng, lat, lng) <= this.reachM[i]!) found.push(i);
        }
      }
    });
    return Array.from(Uint32Array.from(found).sort(), (i) => this.hotspots[i]!);
  }
}

/** A tile's res-9 cells with their centres, computed once per tile. */
export interface TileCells {
  cells: string[];
  lat: Float64Array;
  lng: Float64Array;
}

export function tileCells(tile: string): TileCells {
  const cells = cellToChildren(tile, 9);
  const lat = new Float64Array(cells.length);
  const lng = new Float64Array(cells.length);
  cells.forEach((c, i) => ([lat[i], lng[i]] = cellToLatLng(c)));
  return { cells, lat, lng };
}

/** Distance step of the prediction tables: 20 m moves the predicted signal by < 0.4 dB beyond 1 km. */
const TABLE_STEP_M = 20;

const NODES = COMMON_SHADOWING_NODES;
const newPrediction = (): UplinkPrediction & { availability?: number } => ({ rssiDbm: 0, snrDb: 0, probability: 0, marginDb: 0, shadowingSdDb: 1 });

/**
 * A hotspot's predictions by distance (every TABLE_STEP_M), so a cell costs a distance and a table read; `logMiss`
 * holds log(1 − a·p) at each of the NODES quadrature values of the common device-end term (index k·NODES + node).
 */
interface LinkTable {
  rangeM: number;
  /** The hotspots' availability a (1: always up); `probability` is the radio p alone. */
  availability: number;
  logMiss: Float64Array;
  probability: Float64Array;
  rssiDbm: Float64Array;
  snrDb: Float64Array;
}

/**
 * Tables per hotspot class (the predictor's inputs besides the position: gain, region, fitted parameters, and the
 * availability, stored in 0.05 steps): hotspots of the same class share one. Bounded: cleared when it holds 4,096 classes.
 */
export class LinkTables {
  private readonly tables = new Map<string, LinkTable>();
  constructor(
    private readonly predictor: UplinkPredictor,
    private readonly device: DeviceProfile,
    /** The device-end shadowing common to all hotspots hearing one position, dB (0: hotspots independent). */
    readonly commonSdDb: number = DEVICE_SITE_SD_DB,
  ) {}

  of(h: EstimatingHotspot): LinkTable {
    const availability = availabilityOf(h.availability);
    const key = `${h.gainDdbi}|${h.region}|${h.paramsKey}|${availability}`;
    let table = this.tables.get(key);
    if (table) return table;
    if (this.tables.size >= 4_096) this.tables.clear();
    const rangeM = this.predictor.rangeM(h, this.device, MIN_LINK_PROBABILITY);
    const n = Math.ceil(rangeM / TABLE_STEP_M) + 1;
    table = { rangeM, availability, logMiss: new Float64Array(n * NODES), probability: new Float64Array(n), rssiDbm: new Float64Array(n), snrDb: new Float64Array(n) };
    const out = newPrediction();
    out.availability = availability;
    for (let i = 0; i < n; i++) {
      this.predictor.predict(h, i * TABLE_STEP_M, this.device, out);
      const p = out.probability >= MIN_LINK_PROBABILITY ? Math.min(out.probability, 1 - 1e-12) : 0;
      table.probability[i] = p;
      if (p > 0) conditionalLogMiss(out, this.commonSdDb, table.logMiss.subarray(i * NODES, (i + 1) * NODES));
      table.rssiDbm[i] = out.rssiDbm;
      table.snrDb[i] = out.snrDb;
    }
    this.tables.set(key, table);
    return table;
  }
}

/** The estimate of every res-9 cell of a tile that at least one hotspot reaches with p ≥ MIN_LINK_PROBABILITY. */
export function estimateTile(tile: TileCells, hotspots: readonly EstimatingHotspot[], tables: LinkTables): EstimatedCell[] {
  const n = tile.cells.length;
  const logMiss = new Float64Array(n * NODES);
  const expected = new Float64Array(n);
  const bestRssi = new Float64Array(n).fill(-Infinity);
  const bestSnr = new Float64Array(n).fill(-Infinity);
  const count = new Uint32Array(n);
  for (const h of hotspots) {
    const t = tables.of(h);
    const limit = t.rangeM * t.rangeM;
    const kx = M_PER_DEG_LAT * Math.cos(h.lat * (Math.PI / 180));
    for (let i = 0; i < n; i++) {
      const dy = (tile.lat[i]! - h.lat) * M_PER_DEG_LAT;
      const dx = (tile.lng[i]! - h.lng) * kx;
      const d2 = dx * dx + dy * dy;
      if (d2 > limit) continue;
      const k = Math.round(Math.sqrt(d2) / TABLE_STEP_M);
      const p = t.probability[k]!;
      if (p === 0) continue;
      for (let j = 0, a = i * NODES, b = k * NODES; j < NODES; j++) logMiss[a + j]! += t.logMiss[b + j]!;
      expected[i]! += t.availability * p;
      if (t.rssiDbm[k]! > bestRssi[i]!) bestRssi[i] = t.rssiDbm[k]!;
      if (t.snrDb[k]! > bestSnr[i]!) bestSnr[i] = t.snrDb[k]!;
      count[i]!++;
    }
  }
  const cells: EstimatedCell[] = [];
  for (let i = 0; i < n; i++) {
    if (count[i] === 0) continue;
    cells.push({ h3: tile.cells[i]!, probability: anyFromLogMiss(logMiss.subarray(i * NODES, (i + 1) * NODES)), expectedHotspots: expected[i]!, bestRssiDbm: bestRssi[i]!, bestSnrDb: bestSnr[i]!, hotspotCount: count[i]! });
  }
  return cells;
}

/** The estimate at one point for one device from the hotspots given (the carriers' device-aware answers). */
export function estimatePoint(
  lat: number,
  lng: number,
  hotspots: readonly EstimatingHotspot[],
  predictor: UplinkPredictor,
  device: DeviceProfile,
  commonSdDb: number = DEVICE_SITE_SD_DB,
): Omit<EstimatedCell, 'h3'> {
  const out = newPrediction();
  const logMiss = new Float64Array(NODES);
  const one = new Float64Array(NODES);
  let expectedHotspots = 0;
  let bestRssiDbm = -Infinity;
  let bestSnrDb = -Infinity;
  let hotspotCount = 0;
  for (const h of hotspots) {
    const d = nearDistanceM(h.lat, h.lng, lat, lng);
    if (d > predictor.rangeM(h, device, MIN_LINK_PROBABILITY)) continue;
    // The same distance step as the stored estimate, so a point answers what its cell holds.
    predictor.predict(h, Math.round(d / TABLE_STEP_M) * TABLE_STEP_M, device, out);
    if (out.probability < MIN_LINK_PROBABILITY) continue;
    out.availability = availabilityOf(h.availability);
    conditionalLogMiss(out, commonSdDb, one);
    for (let j = 0; j < NODES; j++) logMiss[j]! += one[j]!;
    expectedHotspots += out.availability * out.probability;
    bestRssiDbm = Math.max(bestRssiDbm, out.rssiDbm);
    bestSnrDb = Math.max(bestSnrDb, out.snrDb);
    hotspotCount++;
  }
  return { probability: hotspotCount === 0 ? 0 : anyFromLogMiss(logMiss), expectedHotspots, bestRssiDbm, bestSnrDb, hotspotCount };
}

/** One rollup cell (res 8…4): sums and maxima of its res-9 descendants' estimates. */
export interface EstimatedRollup {
  h3: string;
  resolution: number;
  /** Expected number of covered res-9 descendants: Σ probability. */
  coveredCells: number;
  maxProbability: number;
  maxExpectedHotspots: number;
  bestRssiDbm: number;
  bestSnrDb: number;
  maxHotspotCount: number;
}

/** Folds cells (res 9) or rollups of the resolution below into rollups at `resolution`. */
export function rollUp(items: Iterable<EstimatedCell | EstimatedRollup>, resolution: number): EstimatedRollup[] {
  const byParent = new Map<string, EstimatedRollup>();
  for (const x of items) {
    const parent = cellToParent(x.h3, resolution);
    const cell = 'coveredCells' in x
      ? x
      : { coveredCells: x.probability, maxProbability: x.probability, maxExpectedHotspots: x.expectedHotspots, bestRssiDbm: x.bestRssiDbm, bestSnrDb: x.bestSnrDb, maxHotspotCount: x.hotspotCount };
    const r = byParent.get(parent);
    if (!r) byParent.set(parent, { h3: parent, resolution, coveredCells: cell.coveredCells, maxProbability: cell.maxProbability, maxExpectedHotspots: cell.maxExpectedHotspots, bestRssiDbm: cell.bestRssiDbm, bestSnrDb: cell.bestSnrDb, maxHotspotCount: cell.maxHotspotCount });
    else {
      r.coveredCells += cell.coveredCells;
      r.maxProbability = Math.max(r.maxProbability, cell.maxProbability);
      r.maxExpectedHotspots = Math.max(r.maxExpectedHotspots, cell.maxExpectedHotspots);
      r.bestRssiDbm = Math.max(r.bestRssiDbm, cell.bestRssiDbm);
      r.bestSnrDb = Math.max(r.bestSnrDb, cell.bestSnrDb);
      r.maxHotspotCount = Math.max(r.maxHotspotCount, cell.maxHotspotCount);
    }
  }
  return [...byParent.values()];
}
