/**
 * Extracts the committed fixtures (fixtures/campusiot-helium.csv) from CampusIoT/datasets Helium/*.ndjson.gz.
 *
 *   npx tsx packages/radio/scripts/extract-campusiot.ts <git dir of CampusIoT/datasets> packages/radio/fixtures
 *
 * Deterministic: for each (endpoint, hotspot, ISO week) it keeps at most PER_GROUP receptions, evenly spaced in
 * time, so every hotspot-week of the source stays represented while the file stays small. See fixtures/README.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCES, WEEK_MS, readSourceFrames, spreadingFactorOf } from './campusiot-source';

const [gitDir, outDir, perGroupArg] = process.argv.slice(2);
/** Receptions kept per (endpoint, hotspot, week): 6 for the committed fixture; a larger number for a fuller extract. */
const PER_GROUP = perGroupArg === undefined ? 6 : Number(perGroupArg);
if (!gitDir || !outDir) {
  console.error('usage: extract-campusiot.ts <git dir of CampusIoT/datasets> <output directory> [receptions per group, default 6]');
  process.exit(2);
}

const rows: string[][] = [];
for (const source of SOURCES) {
  const groups = new Map<string, string[][]>();
  for (const frame of readSourceFrames(gitDir, source.file)) {
    const txLat = frame._devLocation?.latitude;
    const txLng = frame._devLocation?.longitude;
    if (typeof txLat !== 'number' || typeof txLng !== 'number') continue;
    for (const h of frame.hotspots ?? []) {
      const distanceM = h._distance?._distanceHaversine;
      const sf = spreadingFactorOf(h.spreading);
      if (typeof distanceM !== 'number' || distanceM < 1 || !sf || typeof h.rssi !== 'number' || typeof h.snr !== 'number') continue;
      const week = Math.floor(h.reported_at / WEEK_MS);
      const key = `${source.endpoint}|${h.id}|${week}`;
      const group = groups.get(key) ?? [];
      group.push([
        source.endpoint,
        h.id.slice(0, 12),
        String(week),
        String(h.reported_at),
        txLat.toFixed(5),
        txLng.toFixed(5),
        h.lat.toFixed(5),
        h.long.toFixed(5),
        String(Math.round(distanceM)),
        h.frequency.toFixed(1),
        String(sf),
        String(h.rssi),
        h.snr.toFixed(1),
      ]);
      groups.set(key, group);
    }
  }
  for (const group of groups.values()) {
    group.sort((a, b) => Number(a[3]) - Number(b[3]));
    const step = group.length / Math.min(PER_GROUP, group.length);
    for (let i = 0; i < Math.min(PER_GROUP, group.length); i++) rows.push(group[Math.floor(i * step)]!);
  }
}
rows.sort((a, b) => (a[0]! + a[1]! + a[3]!).localeCompare(b[0]! + b[1]! + b[3]!));
const csv = (header: string, table: string[][]) => [header, ...table.map((row) => row.join(','))].join('\n') + '\n';
writeFileSync(join(outDir, 'campusiot-helium.csv'), csv('endpoint,hotspot,week,reported_at_ms,tx_lat,tx_lng,rx_lat,rx_lng,distance_m,frequency_mhz,sf,rssi_dbm,snr_db', rows));

