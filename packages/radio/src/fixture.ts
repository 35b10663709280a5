import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One real reception of the committed CampusIoT Helium extract (fixtures/README.md). */
export interface FixtureReception {
  /** Transmitting device: ems (rooftop, fixed), imst (indoor, fixed), ftd (mobile field tester). */
  endpoint: 'ems' | 'imst' | 'ftd';
  hotspot: string;
  /** Weeks since the Unix epoch. */
  week: number;
  reportedAtMs: number;
  txLat: number;
  txLng: number;
  rxLat: number;
  rxLng: number;
  distanceM: number;
  frequencyHz: number;
  spreadingFactor: number;
  rssiDbm: number;
  snrDb: number;
}

export const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/campusiot-helium.csv', import.meta.url));

/** The devices' conducted power and gains are not in the data set: EU868 end devices at 14 dBm with ~0 dBi antennas. */
export const FIXTURE_TX_POWER_DDBM = 140;

const ENDPOINTS = new Set(['ems', 'imst', 'ftd']);

export function parseFixture(csv: string): FixtureReception[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (header !== 'endpoint,hotspot,week,reported_at_ms,tx_lat,tx_lng,rx_lat,rx_lng,distance_m,frequency_mhz,sf,rssi_dbm,snr_db') {
    throw new Error(`unexpected fixture header: ${header}`);
  }
  return lines.map((line, index) => {
    const f = line.split(',');
    const num = (i: number) => {
      const value = Number(f[i]);
      if (!Number.isFinite(value)) throw new Error(`fixture line ${index + 2}: column ${i + 1} is not a number`);
      return value;
    };
    const endpoint = f[0]!;
    if (f.length !== 13 || !ENDPOINTS.has(endpoint)) throw new Error(`fixture line ${index + 2}: malformed`);
    return {
      endpoint: endpoint as FixtureReception['endpoint'],
      hotspot: f[1]!,
      week: num(2),
      reportedAtMs: num(3),
      txLat: num(4),
      txLng: num(5),
      rxLat: num(6),
      rxLng: num(7),
      distanceM: num(8),
      frequencyHz: Math.round(num(9) * 1e6),
      spreadingFactor: num(10),
      rssiDbm: num(11),
      snrDb: num(12),
    };
  });
}

export function loadFixture(path: string = FIXTURE_PATH): FixtureReception[] {
  return parseFixture(readFileSync(path, 'utf8'));
}

/**
 * One row of the committed frames-sent/frames-heard extract (fixtures/README.md, campusiot-helium-counts.csv): a
 * device's frames at one position, week and spreading factor, and one hotspot active that week.
 */
export interface FixtureCounts {
  endpoint: 'ems' | 'imst' | 'ftd';
  week: number;
  txLat: number;
  txLng: number;
  spreadingFactor: number;
  /** Frames sent: every counter value in the range of a counter run, heard or not. */
  framesSent: number;
  /** Of those, frames sent in clock hours in which some frame of the device was heard (the network worked for it). */
  framesSentInLiveHours: number;
  /** Of those, frames some hotspot's reception was bought for (unlocated hotspots included: an upper bound for the model's). */
  framesHeardAny: number;
  /** Of those, frames a located active hotspot's reception was bought for (one purchase per frame: a lower bound). */
  framesHeardLocated: number;
  hotspot: string;
  distanceM: number;
  /** True: the source's exact distance (the pair was heard); false: between the obfuscated geohash-6 positions. */
  exactDistance: boolean;
  /** Frames this hotspot's reception was bought for (0 for an active hotspot that was not). */
  framesHeard: number;
}

export const COUNTS_FIXTURE_PATH = fileURLToPath(new URL('../fixtures/campusiot-helium-counts.csv', import.meta.url));

export function parseCountsFixture(csv: string): FixtureCounts[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (header !== 'endpoint,week,tx_lat,tx_lng,sf,frames_sent,frames_sent_live_hours,frames_heard_any,frames_heard_located,hotspot,distance_m,distance_source,frames_heard') {
    throw new Error(`unexpected counts fixture header: ${header}`);
  }
  return lines.map((line, index) => {
    const f = line.split(',');
    const num = (i: number) => {
      const value = Number(f[i]);
      if (!Number.isFinite(value)) throw new Error(`counts fixture line ${index + 2}: column ${i + 1} is not a number`);
      return value;
    };
    const endpoint = f[0]!;
    if (f.length !== 13 || !ENDPOINTS.has(endpoint) || (f[11] !== 'exact' && f[11] !== 'cells')) throw new Error(`counts fixture line ${index + 2}: malformed`);
    const row: FixtureCounts = {
      endpoint: endpoint as FixtureCounts['endpoint'],
      week: num(1),
      txLat: num(2),
      txLng: num(3),
      spreadingFactor: num(4),
      framesSent: num(5),
      framesSentInLiveHours: num(6),
      framesHeardAny: num(7),
      framesHeardLocated: num(8),
      hotspot: f[9]!,
      distanceM: num(10),
      exactDistance: f[11] === 'exact',
      framesHeard: num(12),
    };
    if (row.framesHeard > row.framesHeardLocated || row.framesHeardLocated > row.framesHeardAny || row.framesHeardAny > row.framesSentInLiveHours || row.framesSentInLiveHours > row.framesSent) throw new Error(`counts fixture line ${index + 2}: heard exceeds sent`);
    return row;
  });
}

export function loadCountsFixture(path: string = COUNTS_FIXTURE_PATH): FixtureCounts[] {
  return parseCountsFixture(readFileSync(path, 'utf8'));
}

/**
 * One row of the committed hotspot-activity extract (fixtures/README.md, campusiot-helium-hotspot-hours.csv): in one
 * week, the clock hours in which a located hotspot's reception was bought for some device.
 */
export interface FixtureHotspotHours {
  week: number;
  hotspot: string;
  /** Clock hours of the week in which the collection recorded any device's frame at all. */
  hoursObserved: number;
  /** Hours in which this hotspot was bought for any of the three devices. */
  hoursHeard: number;
  /** Hours in which it was bought for some device other than the one named (leave-one-device-out). */
  hoursHeardWithout: Record<FixtureCounts['endpoint'], number>;
}

export const HOTSPOT_HOURS_FIXTURE_PATH = fileURLToPath(new URL('../fixtures/campusiot-helium-hotspot-hours.csv', import.meta.url));

export function parseHotspotHoursFixture(csv: string): FixtureHotspotHours[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (header !== 'week,hotspot,hours_observed,hours_heard,hours_heard_without_ems,hours_heard_without_imst,hours_heard_without_ftd') {
    throw new Error(`unexpected hotspot-hours fixture header: ${header}`);
  }
  return lines.map((line, index) => {
    const f = line.split(',');
    if (f.length !== 7) throw new Error(`hotspot-hours fixture line ${index + 2}: malformed`);
    const [week, observed, heard, withoutEms, withoutImst, withoutFtd] = [f[0], ...f.slice(2)].map((field) => Number(field));
    const counts = [week!, observed!, heard!, withoutEms!, withoutImst!, withoutFtd!];
    if (counts.some((value) => !Number.isInteger(value) || value < 0)) throw new Error(`hotspot-hours fixture line ${index + 2}: not a count`);
    if (heard! > observed! || Math.max(withoutEms!, withoutImst!, withoutFtd!) > heard!) throw new Error(`hotspot-hours fixture line ${index + 2}: heard exceeds observed`);
    return { week: week!, hotspot: f[1]!, hoursObserved: observed!, hoursHeard: heard!, hoursHeardWithout: { ems: withoutEms!, imst: withoutImst!, ftd: withoutFtd! } };
  });
}

export function loadHotspotHoursFixture(path: string = HOTSPOT_HOURS_FIXTURE_PATH): FixtureHotspotHours[] {
  return parseHotspotHoursFixture(readFileSync(path, 'utf8'));
}
