import type { FastifyInstance } from 'fastify';
import { greatCircleDistance, UNITS } from 'h3-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateTrustScores } from '@poc/oracle/testing';
import { buildMapperServer } from '../src/server';
import { hotspotPanel } from '../src/web/map/panels';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { insertHotspot, type FixtureHotspot } from './fixtures';

let db: TestDatabase;
let app: FastifyInstance;
let ring: FixtureHotspot[];
let gainLiar: FixtureHotspot;
let loud: FixtureHotspot;
let quiet: FixtureHotspot;

const FREQUENCY_HZ = 867_100_000;
const TX_POWER_DBM = 14;
const freeSpaceDb = (distanceM: number) => 20 * Math.log10(distanceM / 1000) + 20 * Math.log10(FREQUENCY_HZ / 1e6) + 32.44;
const distance = (a: FixtureHotspot, b: FixtureHotspot) => greatCircleDistance([a.lat, a.lng], [b.lat, b.lng], UNITS.m);

let serial = 0;
/** One verified beacon→witness link as the oracle stores it (processed a minute ago). */
async function link(beaconer: FixtureHotspot, witness: FixtureHotspot, signalDdbm: number) {
  const n = ++serial;
  const d = distance(beaconer, witness);
  const margin = Math.round(signalDdbm - 10 * (TX_POWER_DBM + 2 - freeSpaceDb(d)));
  await db.sql`
    INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate, tx_power, tmst, signature, status, processed_at)
    VALUES (${`b${n}`}, ${beaconer.address}, now() - interval '2 minutes', ${n}, '\\x00', '\\x00', ${Buffer.from([n & 255, n >> 8])}, ${FREQUENCY_HZ}, 0,
            'SF12BW125', ${TX_POWER_DBM}, 1, '\\x00', 'valid', now() - interval '1 minute')`;
  await db.sql`
    INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status, beacon_hash,
                                 distance_m, rssi_margin, processed_at)
    VALUES (${`w${n}`}, ${witness.address}, now() - interval '2 minutes', ${n}, '\\x01', 1, ${signalDdbm}, 55, ${FREQUENCY_HZ}, 'SF12BW125', '\\x00', 'valid',
            ${`b${n}`}, ${Math.round(d)}, ${margin}, now() - interval '1 minute')`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Six hotspots ~2 km apart around Utrecht hearing each other at −100 dBm (honest for the outdoor model), …
  ring = [];
  for (let i = 0; i < 6; i++) {
    ring.push(await insertHotspot(db.sql, `Ring ${i}`, 52.09 + 0.018 * Math.cos((i * Math.PI) / 3), 5.12 + 0.029 * Math.sin((i * Math.PI) / 3)));
  }
  // … one in the middle asserting 15 dBi while its links are 40 dB weaker than its neighbours', …
  gainLiar = await insertHotspot(db.sql, 'Gain Liar', 52.09, 5.12);
  await db.sql`UPDATE hotspots SET gain_ddbi = 150 WHERE address = ${gainLiar.address}`;
  // … one asserting a place 30 km away that hears the ring at −100 dBm all the same, and one with no links at all.
  loud = await insertHotspot(db.sql, 'Loud Far', 52.36, 5.12);
  quiet = await insertHotspot(db.sql, 'Quiet New', 52.2, 5.3);
  for (let round = 0; round < 3; round++) {
    for (const a of ring) {
      for (const b of ring) if (a !== b) await link(a, b, -1000);
      await link(a, gainLiar, -1400);
      await link(gainLiar, a, -1400);
      await link(a, loud, -1000);
    }
  }
  await updateTrustScores(db.sql);
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, metricsRegistry: new Registry() });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const page = async (address: string) => {
  const r = await app.inject({ method: 'GET', url: `/api/v1/hotspots/${address}` });
  expect(r.statusCode).toBe(200);
  return r.json().hotspot;
};

describe('hotspot page: fitted radio model and trust evidence', () => {
  it("shows an honest hotspot's own fit and says its links fit the model", async () => {
    const h = await page(ring[0]!.address);
    // 5 ring neighbours × 2 directions + the gain liar × 2 + heard by `loud`, 3 rounds each
    expect(h.radio_model.witness).toMatchObject({ links: 3 * (5 * 2 + 2 + 1), mostly_prior: expect.any(Boolean) });
    // Its links (the ring at 2–4 km, and `loud` as strong at 30 km) pull the exponent far below the prior's 2.98.
    expect(h.radio_model.witness.exponent).toBeLessThan(2.5);
    expect(h.radio_model.witness.exponent_sd).toBeGreaterThan(0);
    expect(h.radio_model.witness.prior_share).toBeGreaterThan(0);
    expect(h.radio_model.witness.prior_share).toBeLessThan(1);
    expect(h.radio_model.witness.mostly_prior).toBe(h.radio_model.witness.prior_share > 0.5);
    expect(h.radio_model.witness.summary).toMatch(/^Fitted on 39 witness links: signal falls with distance to the power \d/);
    expect(h.radio_model.mapper).toBeNull();
    const kinds = h.trust_evidence.reasons.map((r: { kind: string }) => r.kind);
    expect(kinds).not.toContain('witness_too_strong');
    expect(kinds).not.toContain('gain_unsupported');
    expect(kinds).not.toContain('location_mismatch');
    expect(h.trust_evidence.trust_score).toBe(1);
  });

  it('says in words when the links do not support the asserted antenna gain, with the numbers', async () => {
    const h = await page(gainLiar.address);
    const gain = h.trust_evidence.reasons.find((r: { kind: string }) => r.kind === 'gain_unsupported');
    expect(gain.detail).toMatchObject({ kind: 'gain_unsupported', assertedGainDdbi: 150, links: 36 });
    expect(gain.detail.impliedGainDdbi).toBeLessThan(0);
    expect(gain.message).toMatch(/^Your 36 links are on average [\d.]+ dB weaker than the regional model predicts for the 15 dBi antenna you asserted; they fit about -?[\d.]+ dBi/);
    expect(h.trust_evidence.summary).toContain(gain.message);
  });

  it('says how many witness reports were too strong for the asserted location', async () => {
    const h = await page(loud.address);
    const strong = h.trust_evidence.reasons.find((r: { kind: string }) => r.kind === 'witness_too_strong');
    expect(strong.detail).toMatchObject({ implausible: 18, samples: 18 });
    expect(strong.message).toMatch(/^18 of your 18 witness reports were stronger than any real radio link at that distance would be: your asserted location may be wrong/);
    expect(h.trust_evidence.trust_score).toBeLessThan(1);
  });

  it('says in words that what it hears contradicts its asserted location, with the numbers', async () => {
    const h = await page(loud.address);
    const mismatch = h.trust_evidence.reasons.find((r: { kind: string }) => r.kind === 'location_mismatch');
    // It hears the six ring hotspots ~30 km from its asserted location as strongly as the ring hears itself at 2–4 km.
    expect(mismatch.detail).toMatchObject({ too_strong_source: 'witness', too_strong_transmitters: 6, witness_links: 18, mapper_receipts: 0, reward_factor: 0.5 });
    expect(mismatch.detail.median_distance_m).toBeGreaterThan(25_000);
    expect(mismatch.message).toMatch(
      /^Signals from the 6 hotspots you heard arrived about [\d.]+ dB stronger than a hotspot \d+ km from them — where your asserted location puts it — could receive: your hotspot is probably closer to them than it says\./,
    );
    expect(mismatch.message).toContain('Check your asserted location');
    expect(h.trust_evidence.summary).toContain(mismatch.message);
  });

  it('says a new hotspot has too few links to judge', async () => {
    const h = await page(quiet.address);
    expect(h.radio_model).toEqual({ witness: null, mapper: null });
    expect(h.trust_evidence).toEqual({ trust_score: 1, reasons: [], summary: ['Not enough links yet to judge your location (0 of the 10 needed).'] });
  });

  it('survives hostile or malformed evidence rows: skipped or escaped, never a crash', async () => {
    const victim = await insertHotspot(db.sql, 'Victim <b>', 52.5, 5.5);
    await db.sql`
      INSERT INTO hotspot_flags (hotspot, evidence, reason, detail, scale)
      VALUES (${victim.address}, 'closed_group', '<img src=x onerror=alert(1)> hears only its friends', '{"members": 3}', 0.5),
             (${victim.address}, 'location_mismatch', 'stored sentence', '{"too_strong_source": "witness", "median_excess_db": "<b>"}', 0.5)`;
    // A verdict missing its numbers (an older or corrupted row) is left out rather than printed as "undefined dBi".
    await db.sql`
      INSERT INTO hotspot_radio_fits (hotspot, source, links, sx, sxx, sy, sxy, syy, path_loss_1km_db, path_loss_sd_db, exponent, exponent_sd,
                                      shadowing_sd_db, residual_sd_db, prior_share, gain_verdict)
      VALUES (${victim.address}, 'witness', 2, 0, 0, 0, 0, 0, 120, 8, 3, 0.8, 12, NULL, 0.99,
              '{"flagged": true, "reasons": [{"kind": "gain_unsupported", "deficitDb": "lots"}, {"kind": "other"}]}')`;
    const h = await page(victim.address);
    expect(h.trust_evidence.reasons).toEqual([
      { kind: 'closed_group', message: '<img src=x onerror=alert(1)> hears only its friends', detail: { members: 3, reward_factor: 0.5 } },
      // numbers that are not numbers: the operator's stored sentence instead of "NaN dB"
      { kind: 'location_mismatch', message: 'stored sentence', detail: { too_strong_source: 'witness', median_excess_db: '<b>', reward_factor: 0.5 } },
    ]);
    expect(h.radio_model.witness).toMatchObject({ links: 2, residual_sd_db: null, mostly_prior: true });
    const html = hotspotPanel(h);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; hears only its friends');
    expect(html).toContain('Victim &lt;b&gt;');
    const missing = await app.inject({ method: 'GET', url: `/api/v1/hotspots/${'1'.repeat(500)}` });
    expect(missing.statusCode).toBe(404);
  });
});
