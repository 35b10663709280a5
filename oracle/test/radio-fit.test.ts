import { generateHotspotKeypair } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueEntropy } from '../src/entropy/publisher';
import type { AcceptedReport } from '../src/ingest/decode';
import { storeBatch } from '../src/ingest/store';
import { DEFAULT_RADIO_FIT, updateRadioFits } from '../src/plausibility/radio-fit';
import { HexDensityCache } from '../src/rewards/density-cache';
import { processPendingPocs } from '../src/verify/processor';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { acceptedReport, makeBeacon, makeWitness, seedHotspots, type TestHotspot } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const centre = { lat: 44.9, lng: 4.9 };
// Eight honest hotspots on a 2 km ring, links heard at −95 dBm …
const ring: TestHotspot[] = Array.from({ length: 8 }, (_, i) => ({
  keys: generateHotspotKeypair(),
  location: latLngToCell(centre.lat + 0.018 * Math.cos((i * Math.PI) / 4), centre.lng + 0.025 * Math.sin((i * Math.PI) / 4), 12),
}));
// … and one in the middle that asserts a 15 dBi antenna while everything it hears, and everything that hears it, is
// 45 dB weaker than its neighbours' links: far weaker than the model allows for that gain.
const liar: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(centre.lat, centre.lng, 12) };
const everyone = [...ring, liar];
const params = { ...DEFAULT_RADIO_FIT, settleMs: 0 };
// processPendingPocs stamps processed_at with the time it is given (start + 200 s).
const later = () => new Date(Date.now() + 600_000);

interface FitRow {
  hotspot: string;
  links: number;
  sx: number;
  sxx: number;
  sy: number;
  sxy: number;
  syy: number;
  exponent: number;
  prior_share: number;
  gain_verdict: { flagged: boolean; reasons: { kind: string; assertedGainDdbi: number; impliedGainDdbi: number }[] } | null;
}

const fits = async () =>
  new Map(
    (
      await db.sql<FitRow[]>`SELECT hotspot, links, sx, sxx, sy, sxy, syy, exponent, prior_share, gain_verdict FROM hotspot_radio_fits WHERE source = 'witness'`
    ).map((r) => [r.hotspot, r]),
  );

/** Valid located links per hotspot, either end: what the fits must have counted. */
const validLinks = async () =>
  new Map(
    (
      await db.sql<{ hotspot: string; n: number }[]>`
        SELECT h AS hotspot, count(*)::int AS n FROM (
          SELECT unnest(ARRAY[w.hotspot, b.hotspot]) AS h FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
          WHERE w.status = 'valid' AND w.rssi_margin IS NOT NULL AND w.distance_m IS NOT NULL) s GROUP BY h`
    ).map((r) => [r.hotspot, r.n]),
  );

async function round(entropy: Awaited<ReturnType<typeof issueEntropy>>, start: number, density: HexDensityCache) {
  const batch: AcceptedReport[] = [];
  everyone.forEach((beaconer, i) => {
    const at = start + i * 2000;
    const beacon = makeBeacon(beaconer, entropy);
    batch.push(acceptedReport('beacon', beacon, new Date(at)));
    for (const w of everyone) {
      if (w !== beaconer) batch.push(acceptedReport('witness', makeWitness(w, beacon, w === liar || beaconer === liar ? -1400 : -950), new Date(at + 300)));
    }
  });
  await storeBatch(db.sql, batch, []);
  await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, start + 200_000);
}

describe('per-hotspot propagation fit', () => {
  it('adds verified links as they arrive, counts each once, matches a fit from scratch, and flags a gain the links do not support', async () => {
    await seedHotspots(db.sql, everyone);
    await db.sql`UPDATE hotspots SET gain_ddbi = 150 WHERE address = ${liar.keys.address}`;
    const start = Date.now() - 120_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start);
    const density = new HexDensityCache();

    await round(entropy, start, density);
    const added = await updateRadioFits(db.sql, params, later());
    expect(added).toBeGreaterThan(0);
    const first = await fits();
    const counted1 = await validLinks();
    expect(counted1.size).toBe(everyone.length);
    for (const h of everyone) expect(first.get(h.keys.address)?.links).toBe(counted1.get(h.keys.address));

    // Nothing new verified: nothing added twice.
    expect(await updateRadioFits(db.sql, params, later())).toBe(0);
    expect(await fits()).toEqual(first);

    await round(entropy, start + 30_000, density);
    await updateRadioFits(db.sql, params, later());
    const second = await fits();
    const counted2 = await validLinks();
    for (const h of everyone) {
      const address = h.keys.address;
      expect(second.get(address)!.links).toBe(counted2.get(address));
      expect(second.get(address)!.links).toBeGreaterThan(first.get(address)!.links);
      expect(second.get(address)!.prior_share).toBeLessThan(first.get(address)!.prior_share);
    }

    // The incremental sums equal one fit over everything from scratch.
    await db.sql`DELETE FROM hotspot_radio_fits`;
    await db.sql`DELETE FROM radio_fit_cursors`;
    // Small batches, each refresh bounded to maxBatches of them: the backlog takes several refreshes.
    const refreshes: number[] = [];
    for (let i = 0; i < 10 && refreshes.at(-1) !== 0; i++) refreshes.push(await updateRadioFits(db.sql, { ...params, batchSize: 7, maxBatches: 5 }, later()));
    expect(refreshes.length).toBeGreaterThan(2);
    expect(refreshes.at(-1)).toBe(0);
    const scratch = await fits();
    for (const [address, row] of second) {
      const s = scratch.get(address)!;
      expect(s.links).toBe(row.links);
      for (const k of ['sx', 'sxx', 'sy', 'sxy', 'syy', 'exponent'] as const) expect(s[k]).toBeCloseTo(row[k], 6);
    }

    const liarFit = second.get(liar.keys.address)!;
    expect(liarFit.gain_verdict).toMatchObject({ flagged: true, reasons: [{ kind: 'gain_unsupported', assertedGainDdbi: 150 }] });
    expect(liarFit.gain_verdict!.reasons[0]!.impliedGainDdbi).toBeLessThan(-200);
    for (const h of ring) expect(second.get(h.keys.address)!.gain_verdict).toMatchObject({ flagged: false, reasons: [] });
  });
});

describe('per-hotspot fit from mapper receipts', () => {
  it('adds valid receipts of plausible frames at the distance from the fix, and nothing else', async () => {
    const hotspot: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(45.5, 5.5, 12) };
    await seedHotspots(db.sql, [hotspot]);
    const frame = async (id: number, lat: number, status: string) =>
      db.sql`
        INSERT INTO mapper_frames (id, frame, device_id, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
        VALUES (${id}, ${Buffer.from([id])}, 7, ${lat}, 5.5, ${latLngToCell(lat, 5.5, 9)}, 10, 8, now(), ${status}, 1, 1)`;
    const receipt = async (hash: string, frameId: number, status: string, signal: number) =>
      db.sql`
        INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency,
                                     datarate, payload, status, frame_id, processed_at)
        VALUES (${hash}, ${hotspot.keys.address}, 't', now(), ${Buffer.from([frameId, hash.length])}, 7, 1, 0, 1, ${signal}, 100, 868100000, 'SF9BW125', '\\x00',
                ${status}, ${frameId}, now())`;
    // Fixes 1, 2, 4 and 8 km north of the hotspot, heard at the regional model's mean (14 dBm + 1.2 dBi − 127.7 dB at 1 km) …
    for (const [i, km] of [1, 2, 4, 8].entries()) {
      await frame(100 + i, 45.5 + km / 111.2, 'plausible');
      await receipt(`m${i}`, 100 + i, 'valid', -1125 - Math.round(321 * Math.log10(km)));
    }
    // … and receipts that must not count: refused, or of an implausible frame.
    await frame(110, 45.6, 'implausible');
    await receipt('m-implausible', 110, 'valid', -900);
    await receipt('m-refused', 100, 'invalid', -900);
    await updateRadioFits(db.sql, params, later());
    const [row] = await db.sql<{ links: number; sx: number; exponent: number; gain_verdict: unknown }[]>`
      SELECT links, sx, exponent, gain_verdict FROM hotspot_radio_fits WHERE hotspot = ${hotspot.keys.address} AND source = 'mapper'`;
    expect(row!.links).toBe(4);
    expect(row!.sx).toBeCloseTo(Math.log10(1) + Math.log10(2) + Math.log10(4) + Math.log10(8), 2);
    // A slope of 32.1 dB per decade in the signal: the regional exponent 3.21, which the fit keeps.
    expect(row!.exponent).toBeCloseTo(3.21, 1);
    expect(row!.gain_verdict).toBeNull();
  });
});
