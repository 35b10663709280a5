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
