/**
 * Reading CampusIoT/datasets `Helium/*.ndjson.gz` (fixtures/README.md) from a git directory of that repository: one
 * JSON object per line, one uplink record each, with the hotspot(s) the Helium router bought it from.
 */
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

export const SOURCES = [
  { file: 'Helium/EMS_A81758FFFE04B1C1.ndjson.gz', endpoint: 'ems' },
  { file: 'Helium/IMST_33323431007C727B.ndjson.gz', endpoint: 'imst' },
  { file: 'Helium/FTD_0018B20000020.ndjson.gz', endpoint: 'ftd' },
] as const;

export type SourceEndpoint = (typeof SOURCES)[number]['endpoint'];

export const WEEK_MS = 7 * 86_400_000;

export interface SourceHotspot {
  id: string;
  lat: number;
  long: number;
  rssi: number;
  snr: number;
  frequency: number;
  spreading: string;
  reported_at: number;
  _distance?: { _distanceHaversine?: number };
}

export interface SourceFrame {
  dev_eui?: string;
  devaddr?: string;
  fcnt?: number;
  hotspots?: SourceHotspot[];
  _devLocation?: { latitude?: number; longitude?: number };
}

/** The records of one source file at the repository's HEAD, in file order. */
export function readSourceFrames(gitDir: string, file: string): SourceFrame[] {
  const text = gunzipSync(execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${file}`], { maxBuffer: 64 << 20 })).toString('utf8');
  const frames: SourceFrame[] = [];
  for (const line of text.split('\n')) {
    if (line.trim()) frames.push(JSON.parse(line) as SourceFrame);
  }
  return frames;
}

/** Spreading factor of a `SFxxBW125` data rate, or undefined for anything else. */
export function spreadingFactorOf(dataRate: string): number | undefined {
  const sf = /^SF(\d+)BW125$/.exec(dataRate)?.[1];
  return sf === undefined ? undefined : Number(sf);
}

/** The source's fixed devices' positions (`Helium/endpoints.csv`, not obfuscated, unlike the records' `_devLocation`). */
export function readFixedEndpointPositions(gitDir: string): Map<string, { lat: number; lng: number }> {
  const text = execFileSync('git', ['--git-dir', gitDir, 'show', 'HEAD:Helium/endpoints.csv']).toString('utf8');
  const positions = new Map<string, { lat: number; lng: number }>();
  for (const line of text.split('\n').slice(1)) {
    const [, devEui, , lat, lng] = line.split(';');
    if (devEui && lat && lng && Number.isFinite(Number(lat)) && Number.isFinite(Number(lng))) {
      positions.set(devEui, { lat: Number(lat), lng: Number(lng) });
    }
  }
  return positions;
}
