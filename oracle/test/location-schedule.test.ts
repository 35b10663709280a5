import { generateHotspotKeypair } from '@poc/protocol';
import { meanSignalDbm, REGIONAL_PRIOR, reportedRssiDbm, reportedSnrDb } from '@poc/radio';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCATION_EVIDENCE } from '../src/plausibility/location-evidence';
import { DEFAULT_LOCATION_SCHEDULE, type LocationSchedule } from '../src/plausibility/location-schedule';
import { distanceM } from '../src/plausibility/link-graph';
import { updateTrustScores } from '../src/plausibility/trust';
import { seedHotspots, type TestHotspot } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const refresh = (schedule: LocationSchedule = DEFAULT_LOCATION_SCHEDULE) => updateTrustScores(db.sql, undefined, undefined, schedule);
const checkedAt = async () =>
  new Map((await db.sql<{ hotspot: string; checked_at: Date }[]>`SELECT hotspot, checked_at FROM hotspot_location_checks`).map((r) => [r.hotspot, r.checked_at.getTime()]));
const locationFlagged = async () =>
  new Set((await db.sql<{ hotspot: string }[]>`SELECT hotspot FROM hotspot_flags WHERE evidence = 'location_mismatch'`).map((r) => r.hotspot));

let frameId = 0;
/**
 * Valid receipts of plausible mapper frames sent from `fixes`, each heard at the regional model's mean signal for its
 * true distance from `radio` (so at `radio` the check finds nothing, and from an asserted location far away they are
 * far too strong).
 */
async function hear(h: TestHotspot, radio: { lat: number; lng: number }, fixes: { lat: number; lng: number }[], receivedAt = new Date()) {
  for (const fix of fixes) {
    const id = ++frameId;
    const signalDbm = meanSignalDbm(REGIONAL_PRIOR, {
      distanceM: distanceM(radio, fix),
      frequencyHz: 868_100_000,
      txPowerDdbm: DEFAULT_LOCATION_EVIDENCE.mapperTxPowerDdbm,
      txGainDdbi: DEFAULT_LOCATION_EVIDENCE.mapperGainDdbi,
      rxGainDdbi: 12,
    });
    await db.sql`
      INSERT INTO mapper_frames (id, frame, device_id, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
      VALUES (${id}, ${Buffer.from(`s${id}`)}, 5, ${fix.lat}, ${fix.lng}, ${latLngToCell(fix.lat, fix.lng, 9)}, 10, 8, ${receivedAt}, 'plausible', 1, 1)`;
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency,
                                   datarate, payload, status, frame_id, processed_at)
      VALUES (${`s${id}`}, ${h.keys.address}, 't', ${receivedAt}, ${Buffer.from(`s${id}`)}, 5, 1, 0, 1,
              ${Math.round(reportedRssiDbm(REGIONAL_PRIOR, signalDbm) * 10)}, ${Math.round(reportedSnrDb(REGIONAL_PRIOR, signalDbm) * 10)},
              868100000, 'SF7BW125', '\\x00', 'valid', ${id}, now())`;
  }
}

/** `n` mapper fixes on a ring of `radiusM` around `centre`. */
const ring = (centre: { lat: number; lng: number }, n: number, radiusM: number) =>
  Array.from({ length: n }, (_, i) => ({
    lat: centre.lat + (radiusM * Math.cos((2 * Math.PI * i) / n)) / 111_195,
    lng: centre.lng + (radiusM * Math.sin((2 * Math.PI * i) / n)) / (111_195 * Math.cos((centre.lat * Math.PI) / 180)),
  }));

describe('incremental location checks (hotspot_location_checks)', () => {
  // The liar's radio is at `radio`; it asserts a location ~25 km north. Its receipts come from 12 fixes 1.5 km around.
  const radio = { lat: 45.2, lng: 5.7 };
  const liar: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(radio.lat + 0.225, radio.lng, 12) };
  const quiet: TestHotspot[] = Array.from({ length: 6 }, (_, i) => ({ keys: generateHotspotKeypair(), location: latLngToCell(44 + i * 0.1, 4, 12) }));

  it('checks at most the cap per refresh, never-checked first, then only what is due; a flag is kept while not re-checked', async () => {
    await seedHotspots(db.sql, [liar, ...quiet]);
    await hear(liar, radio, ring(radio, 12, 1500));
    const capped = { ...DEFAULT_LOCATION_SCHEDULE, maxHotspotsPerRefresh: 3 };

    await refresh(capped);
    expect((await checkedAt()).size).toBe(3);
    await refresh(capped);
    expect((await checkedAt()).size).toBe(6);
    await refresh(capped);
    const first = await checkedAt();
    expect(first.size).toBe(7);
    expect(await locationFlagged()).toEqual(new Set([liar.keys.address]));

    // Nothing new: nobody is re-checked, and the liar keeps its finding (and its reward factor).
    await refresh(capped);
    expect(await checkedAt()).toEqual(first);
    expect(await locationFlagged()).toEqual(new Set([liar.keys.address]));
    const [trust] = await db.sql<{ collusion_scale: number }[]>`SELECT collusion_scale FROM hotspot_trust WHERE hotspot = ${liar.keys.address}`;
    expect(trust!.collusion_scale).toBe(0.5);
  });

  it('re-checks a hotspot after a new reception, and an overdue one, oldest check first', async () => {
    const before = await checkedAt();
    await hear(liar, radio, ring(radio, 1, 900));
    await refresh({ ...DEFAULT_LOCATION_SCHEDULE, maxHotspotsPerRefresh: 3 });
    const after = await checkedAt();
    expect(after.get(liar.keys.address)).toBeGreaterThan(before.get(liar.keys.address)!);
    for (const h of quiet) expect(after.get(h.keys.address)).toBe(before.get(h.keys.address));
    expect(await locationFlagged()).toEqual(new Set([liar.keys.address]));

    // Three checks past the recheck interval, two older than the third: with a cap of 2, the two oldest go first.
    const [oldest, older, old] = quiet.map((h) => h.keys.address);
    await db.sql`UPDATE hotspot_location_checks SET checked_at = now() - interval '30 hours' WHERE hotspot IN (${oldest!}, ${older!})`;
    await db.sql`UPDATE hotspot_location_checks SET checked_at = now() - interval '25 hours' WHERE hotspot = ${old!}`;
    await refresh({ ...DEFAULT_LOCATION_SCHEDULE, maxHotspotsPerRefresh: 2 });
    const recent = Date.now() - 3600_000;
    const overdue = await checkedAt();
    expect(overdue.get(oldest!)).toBeGreaterThan(recent);
    expect(overdue.get(older!)).toBeGreaterThan(recent);
    expect(overdue.get(old!)).toBeLessThan(recent);
    await refresh({ ...DEFAULT_LOCATION_SCHEDULE, maxHotspotsPerRefresh: 2 });
    expect((await checkedAt()).get(old!)).toBeGreaterThan(recent);
  });

  it('re-checks a hotspot whose asserted location changed: at its true position it loses the flag', async () => {
    const before = await checkedAt();
    const truth = latLngToCell(radio.lat, radio.lng, 12);
    const [lat, lng] = cellToLatLng(truth);
    await db.sql`UPDATE hotspots SET lat = ${lat}, lng = ${lng}, location_h3 = ${truth} WHERE address = ${liar.keys.address}`;
    await refresh();
    const after = await checkedAt();
    expect(after.get(liar.keys.address)).toBeGreaterThan(before.get(liar.keys.address)!);
    for (const h of quiet) expect(after.get(h.keys.address)).toBe(before.get(h.keys.address));
    expect(await locationFlagged()).toEqual(new Set());
    const [trust] = await db.sql<{ collusion_scale: number }[]>`SELECT collusion_scale FROM hotspot_trust WHERE hotspot = ${liar.keys.address}`;
    expect(trust!.collusion_scale).toBe(1);
  });

  it('a reception still pending when checked makes the hotspot due again once its verdict is in', async () => {
    const [h] = quiet;
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency,
                                   datarate, payload)
      VALUES ('pending-1', ${h!.keys.address}, 't', now(), '\\x01', 5, 1, 0, 1, -1000, 50, 868100000, 'SF7BW125', '\\x00')`;
    await refresh();
    const checked = (await checkedAt()).get(h!.keys.address)!;
    await db.sql`UPDATE mapper_receipts SET status = 'invalid', reason = 'test', processed_at = now() WHERE hash = 'pending-1'`;
    await refresh();
    expect((await checkedAt()).get(h!.keys.address)).toBeGreaterThan(checked);
    await refresh();
    const settled = (await checkedAt()).get(h!.keys.address);
    await refresh();
    expect((await checkedAt()).get(h!.keys.address)).toBe(settled);
  });
});

describe('refresh time with the cap (measured, not asserted)', () => {
  it('checks the cap of a larger fleet per refresh, then only the due ones', async () => {
    // 600 hotspots hearing 30 distinct mapper fixes each; the default cap takes 500 of them, the next refresh the rest.
    const fleet: TestHotspot[] = Array.from({ length: 600 }, (_, i) => ({
      keys: generateHotspotKeypair(),
      location: latLngToCell(46 + Math.floor(i / 30) * 0.05, 6 + (i % 30) * 0.07, 12),
    }));
    await seedHotspots(db.sql, fleet);
    await db.sql`
      INSERT INTO mapper_frames (id, frame, device_id, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
      SELECT 5000000 + h.n * 30 + k, int8send(5000000 + h.n * 30 + k), 6, h.lat + 0.01 * cos(k), h.lng + 0.014 * sin(k), 'x', 10, 8, now(), 'plausible', 1, 1
      FROM (SELECT row_number() OVER (ORDER BY address) AS n, lat, lng, address FROM hotspots WHERE address IN ${db.sql(fleet.map((h) => h.keys.address))}) h,
           generate_series(0, 29) k`;
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency,
                                   datarate, payload, status, frame_id, processed_at)
      SELECT 'fleet' || f.id, h.address, 't', now(), f.frame, 6, 1, 0, 1, -1050, 40, 868100000, 'SF7BW125', '\\x00', 'valid', f.id, now()
      FROM mapper_frames f JOIN (SELECT row_number() OVER (ORDER BY address) AS n, address FROM hotspots
                                 WHERE address IN ${db.sql(fleet.map((h) => h.keys.address))}) h ON f.id BETWEEN 5000000 + h.n * 30 AND 5000000 + h.n * 30 + 29`;
    await db.sql`ANALYZE`; // plans as on a running database, not on tables the planner has not seen filled
    const before = (await checkedAt()).size;
    const timed = async () => {
      const start = performance.now();
      await refresh();
      return performance.now() - start;
    };
    const capped = await timed();
    expect((await checkedAt()).size - before).toBe(DEFAULT_LOCATION_SCHEDULE.maxHotspotsPerRefresh);
    const rest = await timed();
    expect((await checkedAt()).size - before).toBe(fleet.length);
    const idle = await timed();
    console.log(
      `trust refresh with ${DEFAULT_LOCATION_SCHEDULE.maxHotspotsPerRefresh} location checks: ${capped.toFixed(0)} ms; ` +
        `${fleet.length - DEFAULT_LOCATION_SCHEDULE.maxHotspotsPerRefresh} checks: ${rest.toFixed(0)} ms; none due: ${idle.toFixed(0)} ms ` +
        `(${(await checkedAt()).size} located hotspots)`,
    );
  }, 600_000);
});
