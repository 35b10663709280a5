/**
 * Extracts fixtures/campusiot-helium-counts.csv — frames sent vs frames heard, per device, week, transmitter
 * position, spreading factor and active hotspot, zeros included — and fixtures/campusiot-helium-hotspot-hours.csv —
 * per week and located hotspot, the clock hours in which it was heard (by all devices, and by all but each one) — from
 * CampusIoT/datasets Helium/*.ndjson.gz.
 *
 *   npx tsx packages/radio/scripts/extract-campusiot-counts.ts <git dir of CampusIoT/datasets> packages/radio/fixtures
 *
 * Deterministic. How sent, heard, active, positions and distances are derived: fixtures/README.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCES, WEEK_MS, readFixedEndpointPositions, readSourceFrames, spreadingFactorOf, type SourceEndpoint } from './campusiot-source';

/** A counter decrease to ≤ 1, or by more than this, starts a new counter run (rejoin or reboot); smaller ones are late copies. */
const RESET_DECREASE = 16;
/** A missed frame of the mobile device takes its neighbours' position only if they share it and are at most this far apart in time. */
const MOBILE_BRACKET_MS = 10 * 60_000;
/** The source's placeholder for a hotspot without an asserted location lies below this latitude. */
const UNLOCATED_BELOW_LAT = -89;
const HOUR_MS = 3_600_000;
/** Groups (device, week, position, data rate) with fewer frames sent are left out: short stays of the mobile device (~8 % of its frames) would multiply the rows. */
const MIN_GROUP_FRAMES = 10;

interface Position {
  lat: number;
  lng: number;
}

interface Frame {
  endpoint: SourceEndpoint;
  fcnt: number;
  timeMs: number;
  sf: number;
  position: Position | undefined;
  /** Hotspot id → the source's exact device–hotspot distance of that reception (NaN when absent), m. */
  hearers: Map<string, number>;
}

const [gitDir, outDir] = process.argv.slice(2);
if (!gitDir || !outDir) {
  console.error('usage: extract-campusiot-counts.ts <git dir of CampusIoT/datasets> <output directory>');
  process.exit(2);
}

const fixedPositions = readFixedEndpointPositions(gitDir);
/**
 * week → hotspot id → its (obfuscated) position: every located hotspot the router bought any device's packet from that
 * week. Hotspots without an asserted location appear at the geohash-6 cell of (−90, −180); they hear, but no model can
 * place them, so they are not active hotspots (their frames count in frames_heard_any, not frames_heard_located).
 */
const activeHotspots = new Map<number, Map<string, Position>>();
const frames: Frame[] = [];
/** Clock hour → located hotspot id (12 characters, as in the counts rows) → the devices it was bought for in that hour. */
const hotspotHours = new Map<number, Map<string, Set<SourceEndpoint>>>();
/** Clock hours in which some device's frame was recorded at all (the collection ran). */
const observedHours = new Set<number>();
const skipped = { noCounter: 0, noDataRate: 0, missedUnplaced: 0, heardUnplaced: 0 };
/** Per device: frames missed, and those in silences of ≥ 1 h between two heard frames (clustered misses: outages). */
const silences = Object.fromEntries(SOURCES.map((s) => [s.endpoint, { missed: 0, inSilencesOfAnHourOrMore: 0 }]));

for (const source of SOURCES) {
  /** (device, devaddr) session → its records in time order. */
  const sessions = new Map<string, Array<{ fcnt: number; timeMs: number; record: ReturnType<typeof readSourceFrames>[number] }>>();
  for (const record of readSourceFrames(gitDir, source.file)) {
    const hotspots = record.hotspots ?? [];
    if (typeof record.fcnt !== 'number' || !record.dev_eui || !record.devaddr || hotspots.length === 0) {
      skipped.noCounter++;
      continue;
    }
    for (const h of hotspots) {
      const week = Math.floor(h.reported_at / WEEK_MS);
      const active = activeHotspots.get(week) ?? new Map<string, Position>();
      if (!active.has(h.id) && h.lat >= UNLOCATED_BELOW_LAT) active.set(h.id, { lat: h.lat, lng: h.long });
      activeHotspots.set(week, active);
      const hour = Math.floor(h.reported_at / HOUR_MS);
      observedHours.add(hour);
      if (h.lat < UNLOCATED_BELOW_LAT) continue;
      const heardThisHour = hotspotHours.get(hour) ?? new Map<string, Set<SourceEndpoint>>();
      const devices = heardThisHour.get(h.id.slice(0, 12)) ?? new Set<SourceEndpoint>();
      devices.add(source.endpoint);
      heardThisHour.set(h.id.slice(0, 12), devices);
      hotspotHours.set(hour, heardThisHour);
    }
    const key = `${record.dev_eui}|${record.devaddr}`;
    const session = sessions.get(key) ?? [];
    session.push({ fcnt: record.fcnt, timeMs: Math.min(...hotspots.map((h) => h.reported_at)), record });
    sessions.set(key, session);
  }

  for (const [key, records] of [...sessions].sort(([a], [b]) => a.localeCompare(b))) {
    records.sort((a, b) => a.timeMs - b.timeMs || a.fcnt - b.fcnt);
    const devEui = key.split('|')[0]!;
    const fixed = fixedPositions.get(devEui);
    // Split into counter runs; within a run, merge the records of one counter value (copies, retransmissions).
    const runs: Array<Map<number, Frame>> = [];
    let run = new Map<number, Frame>();
    let last = -1;
    for (const { fcnt, timeMs, record } of records) {
      if (last >= 0 && fcnt < last && (fcnt <= 1 || last - fcnt > RESET_DECREASE)) {
        runs.push(run);
        run = new Map();
        last = -1;
      }
      last = Math.max(last, fcnt);
      const firstHotspot = record.hotspots![0]!;
      const sf = spreadingFactorOf(firstHotspot.spreading);
      const txLat = record._devLocation?.latitude;
      const txLng = record._devLocation?.longitude;
      const position = fixed ?? (typeof txLat === 'number' && typeof txLng === 'number' ? { lat: txLat, lng: txLng } : undefined);
      const frame = run.get(fcnt) ?? { endpoint: source.endpoint, fcnt, timeMs, sf: sf ?? 0, position, hearers: new Map<string, number>() };
      if (frame.sf === 0 && sf) frame.sf = sf;
      frame.position ??= position;
      for (const h of record.hotspots!) {
        const distanceM = h._distance?._distanceHaversine;
        if (!frame.hearers.has(h.id)) frame.hearers.set(h.id, typeof distanceM === 'number' ? distanceM : Number.NaN);
      }
      run.set(fcnt, frame);
    }
    runs.push(run);

    for (const heardFrames of runs) {
      const heard = [...heardFrames.values()].sort((a, b) => a.fcnt - b.fcnt);
      for (let i = 0; i < heard.length; i++) {
        const before = heard[i]!;
        frames.push(before);
        const after = heard[i + 1];
        if (!after) break;
        // Frames between two heard counter values were sent and heard by nobody: time interpolated by counter, data
        // rate of the nearer heard neighbour (ADR changes it between frames), position only when both neighbours agree.
        const silence = silences[source.endpoint]!;
        silence.missed += after.fcnt - before.fcnt - 1;
        if (after.timeMs - before.timeMs >= HOUR_MS) silence.inSilencesOfAnHourOrMore += after.fcnt - before.fcnt - 1;
        for (let fcnt = before.fcnt + 1; fcnt < after.fcnt; fcnt++) {
          const share = (fcnt - before.fcnt) / (after.fcnt - before.fcnt);
          const nearer = share <= 0.5 ? before : after;
          let position = fixed;
          if (!fixed) {
            const samePlace = before.position && after.position && before.position.lat === after.position.lat && before.position.lng === after.position.lng;
            position = samePlace && after.timeMs - before.timeMs <= MOBILE_BRACKET_MS ? before.position : undefined;
          }
          if (!position) {
            skipped.missedUnplaced++;
            continue;
          }
          frames.push({ endpoint: source.endpoint, fcnt, timeMs: Math.round(before.timeMs + share * (after.timeMs - before.timeMs)), sf: nearer.sf, position, hearers: new Map() });
        }
      }
    }
  }
}

/** Clock hours in which some frame of the device was heard: "live" hours, where the network demonstrably worked for it. */
const liveHours = new Set(frames.filter((f) => f.hearers.size > 0).map((f) => `${f.endpoint}|${Math.floor(f.timeMs / HOUR_MS)}`));

// Group frames by (device, week, position, data rate); every hotspot active that week gets a row.
interface Group {
  endpoint: SourceEndpoint;
  week: number;
  position: Position;
  sf: number;
  sent: number;
  sentInLiveHours: number;
  heardAny: number;
  heardLocated: number;
  heardBy: Map<string, number>;
  exactDistances: Map<string, number[]>;
}
const groups = new Map<string, Group>();
for (const frame of frames) {
  if (!frame.position) {
    skipped.heardUnplaced++;
    continue;
  }
  if (frame.sf < 7 || frame.sf > 12) {
    skipped.noDataRate++;
    continue;
  }
  const week = Math.floor(frame.timeMs / WEEK_MS);
  const key = `${frame.endpoint}|${week}|${frame.position.lat.toFixed(5)}|${frame.position.lng.toFixed(5)}|${frame.sf}`;
  const group = groups.get(key) ?? { endpoint: frame.endpoint, week, position: frame.position, sf: frame.sf, sent: 0, sentInLiveHours: 0, heardAny: 0, heardLocated: 0, heardBy: new Map(), exactDistances: new Map() };
  group.sent++;
  if (liveHours.has(`${frame.endpoint}|${Math.floor(frame.timeMs / HOUR_MS)}`)) group.sentInLiveHours++;
  if (frame.hearers.size > 0) group.heardAny++;
  const active = activeHotspots.get(week);
  if ([...frame.hearers.keys()].some((hotspot) => active?.has(hotspot))) group.heardLocated++;
  for (const [hotspot, distanceM] of frame.hearers) {
    group.heardBy.set(hotspot, (group.heardBy.get(hotspot) ?? 0) + 1);
    if (Number.isFinite(distanceM)) group.exactDistances.set(hotspot, [...(group.exactDistances.get(hotspot) ?? []), distanceM]);
  }
  groups.set(key, group);
}

/** Exact distance of a (device position, hotspot) pair over every frame heard on it, for pairs never heard in a group's week. */
const pairDistances = new Map<string, number[]>();
for (const group of groups.values()) {
  for (const [hotspot, distances] of group.exactDistances) {
    const key = `${group.endpoint}|${group.position.lat}|${group.position.lng}|${hotspot}`;
    pairDistances.set(key, [...(pairDistances.get(key) ?? []), ...distances]);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

function haversineM(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

const rows: string[] = [];
for (const group of groups.values()) {
  if (group.sent < MIN_GROUP_FRAMES) continue;
  for (const [hotspot, hotspotPosition] of activeHotspots.get(group.week) ?? []) {
    const exact = pairDistances.get(`${group.endpoint}|${group.position.lat}|${group.position.lng}|${hotspot}`);
    const distanceM = exact ? median(exact) : haversineM(group.position, hotspotPosition);
    rows.push(
      [
        group.endpoint,
        group.week,
        group.position.lat.toFixed(5),
        group.position.lng.toFixed(5),
        group.sf,
        group.sent,
        group.sentInLiveHours,
        group.heardAny,
        group.heardLocated,
        hotspot.slice(0, 12),
        Math.max(1, Math.round(distanceM)),
        exact ? 'exact' : 'cells',
        group.heardBy.get(hotspot) ?? 0,
      ].join(','),
    );
  }
}
rows.sort();
writeFileSync(
  join(outDir, 'campusiot-helium-counts.csv'),
  ['endpoint,week,tx_lat,tx_lng,sf,frames_sent,frames_sent_live_hours,frames_heard_any,frames_heard_located,hotspot,distance_m,distance_source,frames_heard', ...rows].join('\n') + '\n',
);

// Hotspot activity per week: hours heard by any device, and by every device but one (leave-one-device-out), against
// the hours the collection observed anything that week (calibration-eval estimates availability from these).
const HOURS_PER_WEEK = WEEK_MS / HOUR_MS;
const activity = new Map<string, { week: number; hotspot: string; heard: number; without: Record<SourceEndpoint, number> }>();
const observedPerWeek = new Map<number, number>();
for (const hour of observedHours) observedPerWeek.set(Math.floor(hour / HOURS_PER_WEEK), (observedPerWeek.get(Math.floor(hour / HOURS_PER_WEEK)) ?? 0) + 1);
for (const [hour, heardThisHour] of hotspotHours) {
  const week = Math.floor(hour / HOURS_PER_WEEK);
  for (const [hotspot, devices] of heardThisHour) {
    const key = `${week}|${hotspot}`;
    const entry = activity.get(key) ?? { week, hotspot, heard: 0, without: Object.fromEntries(SOURCES.map((s) => [s.endpoint, 0])) as Record<SourceEndpoint, number> };
    entry.heard++;
    for (const source of SOURCES) if ([...devices].some((device) => device !== source.endpoint)) entry.without[source.endpoint]++;
    activity.set(key, entry);
  }
}
const activityRows = [...activity.values()]
  .map((a) => [a.week, a.hotspot, observedPerWeek.get(a.week)!, a.heard, ...SOURCES.map((s) => a.without[s.endpoint])].join(','))
  .sort();
writeFileSync(
  join(outDir, 'campusiot-helium-hotspot-hours.csv'),
  [['week,hotspot,hours_observed,hours_heard', ...SOURCES.map((s) => `hours_heard_without_${s.endpoint}`)].join(','), ...activityRows].join('\n') + '\n',
);
const kept = [...groups.values()].filter((g) => g.sent >= MIN_GROUP_FRAMES);
const byEndpoint = (pick: (g: Group) => number) =>
  Object.fromEntries(SOURCES.map((s) => [s.endpoint, kept.filter((g) => g.endpoint === s.endpoint).reduce((sum, g) => sum + pick(g), 0)]));
console.log(JSON.stringify({ rows: rows.length, hotspotWeeks: activityRows.length, groups: kept.length, sent: byEndpoint((g) => g.sent), heardAny: byEndpoint((g) => g.heardAny), heardLocated: byEndpoint((g) => g.heardLocated), skipped, silences }));
