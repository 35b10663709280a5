import { MIN_LINK_PROBABILITY, nearDistanceM, type DeviceProfile, type EstimatingHotspot, type UplinkPredictor } from '@poc/oracle';
import { anyFromLogMiss, availabilityOf, COMMON_SHADOWING_NODES, conditionalLogMiss, DEVICE_SITE_SD_DB, type HotspotMargin } from '@poc/radio';
import type { Estimate } from './estimates';

/** The oracle's distance step (oracle/src/coverage/estimate.ts TABLE_STEP_M): a point is predicted at its distance rounded to it. */
const DISTANCE_STEP_M = 20;
const NODES = COMMON_SHADOWING_NODES;
/** nearDistanceM's metres per degree of latitude, read from it (one degree north is exactly that far). */
const M_PER_DEG_LAT = nearDistanceM(0, 0, 1, 0);
const HALF_RAD_PER_DEG = Math.PI / 360;
type UplinkPrediction = Parameters<UplinkPredictor['predict']>[3];
/**
 * Tables kept (device × hotspot class). One holds up to 1,251 steps × 13 numbers ≈ 130 KB once filled, so at most
 * ≈ 33 MB; past it every table is dropped and refilled on demand (a rarely seen device costs what the model costs).
 */
const MAX_TABLES = 256;

/**
 * A located hotspot and its class: the predictor's inputs besides the position (gain, region, fitted parameters,
 * and its availability — stored in 0.05 steps — like the oracle's LinkTables), numbered once so a point needs no
 * string per hotspot.
 */
export interface ClassedHotspot extends EstimatingHotspot {
  linkClass: number;
}

/**
 * Hotspots a point may be reached by, also column by column so a pass over them reads memory in order, with the
 * cosine and sine of half their latitude: the cosine of the mean latitude nearDistanceM needs is then
 * cos(φ₁/2 + φ₂/2) = cos·cos − sin·sin, two multiplications instead of a Math.cos per hotspot.
 */
export interface Candidates {
  hotspots: readonly ClassedHotspot[];
  lat: Float64Array;
  lng: Float64Array;
  cosHalfLat: Float64Array;
  sinHalfLat: Float64Array;
  linkClass: Int32Array;
}

export function candidatesOf(hotspots: readonly ClassedHotspot[]): Candidates {
  return {
    hotspots,
    lat: Float64Array.from(hotspots, (h) => h.lat),
    lng: Float64Array.from(hotspots, (h) => h.lng),
    cosHalfLat: Float64Array.from(hotspots, (h) => Math.cos(h.lat * HALF_RAD_PER_DEG)),
    sinHalfLat: Float64Array.from(hotspots, (h) => Math.sin(h.lat * HALF_RAD_PER_DEG)),
    linkClass: Int32Array.from(hotspots, (h) => h.linkClass),
  };
}

/** A table step's numbers, side by side so a hotspot's read touches one or two cache lines: p, RSSI, SNR, then log(1 − a·p) per node. */
const PROBABILITY = 0;
const RSSI = 1;
const SNR = 2;
const LOG_MISS = 3;
const STRIDE = LOG_MISS + NODES;
// estimate() sums the nodes in ten locals (registers instead of an array store per node and hotspot).
if (NODES !== 10) throw new Error(`link tables sum 10 common-shadowing nodes, @poc/radio has ${NODES}`);

/** One device's predictions for one hotspot class by distance step, each step filled the first time it is asked for. */
interface LinkTable {
  rangeM: number;
  /** The class's availability a (1: always up): the probability is the radio p alone, the log-miss nodes hold log(1 − a·p). */
  availability: number;
  filled: Uint8Array;
  /** STRIDE numbers per step (index step·STRIDE + PROBABILITY / RSSI / SNR / LOG_MISS + node), as conditionalLogMiss gives them. */
  steps: Float64Array;
}

/** Transmit power and antenna gain (dBm×10, dBi×10) a device key spans: far past the API's −10…30 dBm and −10…15 dBi. */
const DEVICE_KEY_LIMIT = 1000;
const DEVICE_KEY_SPAN = 2 * DEVICE_KEY_LIMIT + 1;

const keyable = (x: number) => Number.isInteger(x) && Math.abs(x) <= DEVICE_KEY_LIMIT;

/**
 * One number per device profile (the key of its tables and cached estimates): a number because the point query looks
 * its device up on every request, and a string key would be built and hashed each time.
 */
export function deviceKey(d: DeviceProfile): number {
  // 'any' → 0, SF 7…12 → 1…6.
  const sf = d.spreadingFactor === 'any' ? 0 : d.spreadingFactor >= 7 && d.spreadingFactor <= 12 ? d.spreadingFactor - 6 : Number.NaN;
  if (!keyable(d.txPowerDdbm) || !keyable(d.gainDdbi) || !(Number.isInteger(sf) && sf >= 0 && sf <= 6)) {
    throw new RangeError(`no device key for tx ${d.txPowerDdbm} dBm×10, gain ${d.gainDdbi} dBi×10, SF ${d.spreadingFactor}`);
  }
  return (((d.txPowerDdbm + DEVICE_KEY_LIMIT) * DEVICE_KEY_SPAN + d.gainDdbi + DEVICE_KEY_LIMIT) * 7 + sf) * 2 + (d.indoor ? 1 : 0);
}

/**
 * The model's estimate at a point for a device, read from tables instead of evaluated per hotspot: a hotspot's
 * prediction depends only on the device, its class and the distance step, so each (device, class) is predicted once
 * per step. The numbers are estimatePoint's (oracle/src/coverage/estimate.ts), in the same order, so the answer is
 * identical; a point costs a distance and a table read per candidate hotspot instead of the model and 10 normal CDFs.
 */
export class LinkTables {
  private readonly classes = new Map<string, number>();
  private byDevice = new Map<number, (LinkTable | undefined)[]>();
  private tableCount = 0;
  private readonly prediction: UplinkPrediction = { rssiDbm: 0, snrDb: 0, probability: 0, marginDb: 0, shadowingSdDb: 1 };
  private readonly margin: HotspotMargin = { marginDb: 0, shadowingSdDb: 1, availability: 1 };
  private readonly nodeScratch = new Float64Array(NODES);
  private readonly logMissSum = new Float64Array(NODES);

  constructor(private readonly predictor: UplinkPredictor) {}

  /** The hotspot with its class number (stable for the life of these tables). */
  classed(h: EstimatingHotspot): ClassedHotspot {
    const key = `${h.gainDdbi}|${h.region}|${h.paramsKey}|${availabilityOf(h.availability)}`;
    let linkClass = this.classes.get(key);
    if (linkClass === undefined) this.classes.set(key, (linkClass = this.classes.size));
    return { ...h, linkClass };
  }

  estimate(lat: number, lng: number, candidates: Candidates, device: DeviceProfile): Estimate {
    const tables = this.tablesOf(device);
    let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0;
    let expectedHotspots = 0;
    let bestRssiDbm = -Infinity;
    let bestSnrDb = -Infinity;
    let hotspotCount = 0;
    const { lat: hLat, lng: hLng, cosHalfLat, sinHalfLat, linkClass } = candidates;
    const cosHalf = Math.cos(lat * HALF_RAD_PER_DEG);
    const sinHalf = Math.sin(lat * HALF_RAD_PER_DEG);
    for (let i = 0; i < hLat.length; i++) {
      const t = tables[linkClass[i]!] ?? this.newTable(tables, candidates.hotspots[i]!, device);
      // nearDistanceM(hotspot, point), its cosine from the angle sum (equal to Math.cos's within the last bits).
      const dy = (lat - hLat[i]!) * M_PER_DEG_LAT;
      const dx = (lng - hLng[i]!) * M_PER_DEG_LAT * (cosHalfLat[i]! * cosHalf - sinHalfLat[i]! * sinHalf);
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d > t.rangeM) continue;
      const step = Math.round(d / DISTANCE_STEP_M);
      if (t.filled[step] === 0) this.fill(t, candidates.hotspots[i]!, device, step);
      const s = t.steps;
      const at = step * STRIDE;
      const p = s[at + PROBABILITY]!;
      if (p < MIN_LINK_PROBABILITY) continue;
      const n = at + LOG_MISS;
      m0 += s[n]!;
      m1 += s[n + 1]!;
      m2 += s[n + 2]!;
      m3 += s[n + 3]!;
      m4 += s[n + 4]!;
      m5 += s[n + 5]!;
      m6 += s[n + 6]!;
      m7 += s[n + 7]!;
      m8 += s[n + 8]!;
      m9 += s[n + 9]!;
      expectedHotspots += t.availability * p;
      bestRssiDbm = Math.max(bestRssiDbm, s[at + RSSI]!);
      bestSnrDb = Math.max(bestSnrDb, s[at + SNR]!);
      hotspotCount++;
    }
    if (hotspotCount === 0) return { probability: 0, expectedHotspots, bestRssiDbm, bestSnrDb, hotspotCount };
    const logMiss = this.logMissSum;
    logMiss[0] = m0;
    logMiss[1] = m1;
    logMiss[2] = m2;
    logMiss[3] = m3;
    logMiss[4] = m4;
    logMiss[5] = m5;
    logMiss[6] = m6;
    logMiss[7] = m7;
    logMiss[8] = m8;
    logMiss[9] = m9;
    return { probability: anyFromLogMiss(logMiss), expectedHotspots, bestRssiDbm, bestSnrDb, hotspotCount };
  }

  /** How far the device is heard by a hotspot of h's class: beyond it p < MIN_LINK_PROBABILITY (the predictor's rangeM). */
  reachM(h: ClassedHotspot, device: DeviceProfile): number {
    const tables = this.tablesOf(device);
    return (tables[h.linkClass] ?? this.newTable(tables, h, device)).rangeM;
  }

  private tablesOf(device: DeviceProfile): (LinkTable | undefined)[] {
    const key = deviceKey(device);
    let tables = this.byDevice.get(key);
    if (!tables) this.byDevice.set(key, (tables = []));
    return tables;
  }

  private newTable(tables: (LinkTable | undefined)[], h: ClassedHotspot, device: DeviceProfile): LinkTable {
    if (this.tableCount >= MAX_TABLES) {
      this.byDevice = new Map([[deviceKey(device), tables]]);
      tables.length = 0;
      this.tableCount = 0;
    }
    const rangeM = this.predictor.rangeM(h, device, MIN_LINK_PROBABILITY);
    const steps = Math.ceil(rangeM / DISTANCE_STEP_M) + 1;
    const table: LinkTable = {
      rangeM,
      availability: availabilityOf(h.availability),
      filled: new Uint8Array(steps),
      steps: new Float64Array(steps * STRIDE),
    };
    tables[h.linkClass] = table;
    this.tableCount++;
    return table;
  }

  private fill(t: LinkTable, h: ClassedHotspot, device: DeviceProfile, step: number) {
    const out = this.predictor.predict(h, step * DISTANCE_STEP_M, device, this.prediction);
    const at = step * STRIDE;
    t.steps[at + PROBABILITY] = out.probability;
    t.steps[at + RSSI] = out.rssiDbm;
    t.steps[at + SNR] = out.snrDb;
    if (out.probability >= MIN_LINK_PROBABILITY) {
      this.margin.marginDb = out.marginDb;
      this.margin.shadowingSdDb = out.shadowingSdDb;
      this.margin.availability = t.availability;
      t.steps.set(conditionalLogMiss(this.margin, DEVICE_SITE_SD_DB, this.nodeScratch), at + LOG_MISS);
    }
    t.filled[step] = 1;
  }
}
