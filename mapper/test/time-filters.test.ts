import type { FastifyInstance } from 'fastify';
import { cellToChildren, cellToLatLng, cellToParent, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCoverage, utcDay, type CoverageMeasurement } from '@poc/oracle';
import { createApiKey } from '../src/api-keys';
import { buildMapperServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { insertHotspot, type FixtureHotspot } from './fixtures';

/**
 * Coverage written by the oracle's own recordCoverage (all-time tables and daily history), read through the HTTP API
 * with the in-memory index loaded: all-time answers come from it, time-filtered ones must come from the history.
 */
const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Date.now();
const asOf = utcDay(now - 10 * DAY); // as_of=D (midnight UTC): the days D − 30 … D count

// Three res-9 cells of one res-7 parent in Lisbon.
const A = latLngToCell(38.72, -9.14, 9);
const siblings = cellToChildren(cellToParent(A, 7), 9).filter((c) => c !== A);
const B = siblings[3]!;
const C = siblings[20]!;
const parent7 = cellToParent(A, 7);
const centre = (h3: string) => {
  const [lat, lng] = cellToLatLng(h3);
  return { lat, lng };
};

let db: TestDatabase;
let app: FastifyInstance;
let key: string;
let w1: FixtureHotspot, w2: FixtureHotspot, w3: FixtureHotspot, w4: FixtureHotspot, w5: FixtureHotspot;

beforeAll(async () => {
  db = await createTestDatabase();
  const named = (n: string, i: number) => insertHotspot(db.sql, `Lisbon ${n}`, 38.7 + i * 0.01, -9.1);
  [w1, w2, w3, w4, w5] = (await Promise.all(['One', 'Two', 'Three', 'Four', 'Five'].map(named))) as [FixtureHotspot, FixtureHotspot, FixtureHotspot, FixtureHotspot, FixtureHotspot];
  const m = (h3Res9: string, w: FixtureHotspot, signal: number, agoMs: number): CoverageMeasurement => ({ h3Res9, witness: w.address, signal, snr: 20, at: new Date(now - agoMs) });
  const measurements = [
    // A: its all-time best (−70 dBm, w4) is 20 days old; the last 7 days heard w1 on two days, w3 twice, w2 an hour ago.
    m(A, w4, -700, 20 * DAY),
    m(A, w1, -1040, 4 * DAY),
    m(A, w3, -1120, 3 * DAY),
    m(A, w3, -1110, 3 * DAY),
    m(A, w1, -1000, 2 * DAY),
    m(A, w2, -1080, HOUR),
    // B: heard 60 days before D and again now, never in the 30 days before D.
    m(B, w5, -900, 70 * DAY),
    m(B, w2, -1150, HOUR),
    // C: heard only 5 days before D.
    m(C, w5, -950, 15 * DAY),
  ];
  // Two oracle batches, as the PoC processor would write them.
  await db.sql.begin((tx) => recordCoverage(tx, measurements.slice(0, 5)));
  await db.sql.begin((tx) => recordCoverage(tx, measurements.slice(5)));
  key = (await createApiKey(db.sql, 'Time filter carrier', 10_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await' });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
  const r = await app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};
const at = (h3: string) => `lat=${centre(h3).lat}&lng=${centre(h3).lng}`;

describe('time filters from the daily coverage history', () => {
  it('a window reports the best RSSI, witnesses and distinct hotspots of its days, not of all time', async () => {
    const all = await call('GET', `/v1/coverage/point?${at(A)}`);
    expect(all.coverage).toMatchObject({ h3: A, best_rssi_dbm: -70, signal_class: 'strong', witness_count: 6, hotspot_count: 4 });

    const week = await call('GET', `/v1/coverage/point?${at(A)}&window=7d`);
    // w1 heard on two days counts once; w4 (20 days ago) is out.
    expect(week.coverage).toMatchObject({ h3: A, best_rssi_dbm: -100, signal_class: 'good', witness_count: 5, hotspot_count: 3 });
    expect(week.coverage.last_seen_at).toBe(new Date(now - HOUR).toISOString());
    expect(week.coverage.first_seen_at).toBe(new Date(now - 20 * DAY).toISOString()); // first heard ever

    const day = await call('GET', `/api/v1/coverage?${at(A)}&window=24h`);
    expect(day.coverage).toMatchObject({ best_rssi_dbm: -108, witness_count: 1, hotspot_count: 1, signal_class: 'fair' });
    const month = await call('GET', `/api/v1/coverage?${at(A)}&window=30d`);
    expect(month.coverage).toMatchObject({ best_rssi_dbm: -70, witness_count: 6, hotspot_count: 4 });
  });

  it('as_of counts only the 30 days up to the date: heard 60 days before and again today is not covered then', async () => {
    expect((await call('GET', `/v1/coverage/point?${at(B)}`)).covered).toBe(true);
    expect((await call('GET', `/v1/coverage/point?${at(B)}&window=24h`)).covered).toBe(true);
    expect((await call('GET', `/v1/coverage/point?${at(B)}&as_of=${asOf}`))).toMatchObject({ covered: false, coverage: null });
    expect((await call('GET', `/api/v1/coverage?${at(B)}&as_of=${asOf}`)).covered).toBe(false);
    const detail = await app.inject({ url: `/api/v1/hexes/${B}?as_of=${asOf}` });
    expect(detail.statusCode).toBe(404);
    // A as of D: only w4's measurement 20 days ago lies in D − 30 … D.
    const a = await call('GET', `/v1/coverage/point?${at(A)}&as_of=${asOf}`);
    expect(a.coverage).toMatchObject({ best_rssi_dbm: -70, witness_count: 1, hotspot_count: 1, last_seen_at: new Date(now - 20 * DAY).toISOString() });
    expect((await call('GET', `/v1/coverage/point?${at(C)}&as_of=${asOf}`)).covered).toBe(true);
    expect((await call('GET', `/v1/coverage/point?${at(C)}&window=7d`)).covered).toBe(false);
  });

  it('batches, areas and routes use the same days', async () => {
    const points = (extra: object) => call('POST', '/v1/coverage/points', { points: [A, B, C].map((h) => ({ ...centre(h), id: h })), ...extra });
    const covered = (r: { results: { id: string; covered: boolean }[] }) => r.results.filter((p) => p.covered).map((p) => p.id).sort();
    expect(covered(await points({}))).toEqual([A, B, C].sort());
    expect(covered(await points({ window: '24h' }))).toEqual([A, B].sort());
    expect(covered(await points({ as_of: asOf }))).toEqual([A, C].sort());
    const weekA = (await points({ window: '7d' })).results.find((p: { id: string }) => p.id === A);
    expect(weekA.coverage).toMatchObject({ best_rssi_dbm: -100, witness_count: 5, hotspot_count: 3 });

    const lats = [A, B, C].map((h) => centre(h).lat);
    const lngs = [A, B, C].map((h) => centre(h).lng);
    const [w, s, e, n] = [Math.min(...lngs) - 0.003, Math.min(...lats) - 0.003, Math.max(...lngs) + 0.003, Math.max(...lats) + 0.003];
    const area = { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
    const areaCovered = async (extra: object) => ((await call('POST', '/v1/coverage/area', { area, ...extra })).hexes as { h3: string }[]).map((h) => h.h3).sort();
    expect(await areaCovered({})).toEqual([A, B, C].sort());
    expect(await areaCovered({ window: '24h' })).toEqual([A, B].sort());
    expect(await areaCovered({ as_of: asOf })).toEqual([A, C].sort());
    const p7 = centre(parent7);
    const around7 = { type: 'Polygon', coordinates: [[[p7.lng - 0.02, p7.lat - 0.02], [p7.lng + 0.02, p7.lat - 0.02], [p7.lng + 0.02, p7.lat + 0.02], [p7.lng - 0.02, p7.lat + 0.02], [p7.lng - 0.02, p7.lat - 0.02]]] };
    const coarse = await call('POST', '/v1/coverage/area', { area: around7, resolution: 7, window: '7d' });
    expect(coarse.hexes).toEqual([expect.objectContaining({ h3: parent7, hotspot_count: 3, witness_count: 6, best_rssi_dbm: -100 })]);

    const route = { type: 'LineString', coordinates: [A, B, C].map((h) => [centre(h).lng, centre(h).lat]) };
    const routeCount = async (extra: object) => (await call('POST', '/v1/coverage/route', { route, ...extra })).covered_hex_count;
    expect(await routeCount({})).toBe(3);
    expect(await routeCount({ window: '24h' })).toBe(2);
    expect(await routeCount({ as_of: asOf })).toBe(2);
  });

  it('map layers (hexes in a bbox) aggregate the days at every resolution, with exact distinct hotspots in rollups', async () => {
    const bbox = '-9.2,38.68,-9.08,38.76';
    const hexes = async (q: string) => (await call('GET', `/api/v1/hexes?bbox=${bbox}&${q}`)).hexes as { h3: string; hotspot_count: number; witness_count: number; best_rssi_dbm: number }[];
    expect((await hexes('res=9&window=7d')).map((h) => h.h3).sort()).toEqual([A, B].sort());
    expect((await hexes(`res=9&as_of=${asOf}`)).map((h) => h.h3).sort()).toEqual([A, C].sort());
    // Res 7 over the last 7 days: w1, w2 (in A and B), w3 — three hotspots, not four.
    const [week7] = await hexes('res=7&window=7d');
    expect(week7).toMatchObject({ h3: parent7, hotspot_count: 3, witness_count: 6, best_rssi_dbm: -100 });
    const [all7] = await hexes('res=7');
    expect(all7).toMatchObject({ h3: parent7, hotspot_count: 5, witness_count: 9, best_rssi_dbm: -70 });
    const [asOf7] = await hexes(`res=7&as_of=${asOf}`);
    expect(asOf7).toMatchObject({ hotspot_count: 2, witness_count: 2, best_rssi_dbm: -70 });

    // Carriers' hexes endpoint, paged one hex at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { hexes: string[]; next_cursor: string | null } = await call('GET', `/v1/coverage/hexes?bbox=${bbox}&resolution=9&format=h3&limit=1&window=7d${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.hexes);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([A, B].sort());
  });

  it('hex detail lists the hotspots of the selected days with their values for those days', async () => {
    const week = await call('GET', `/api/v1/hexes/${A}?window=7d`);
    expect(week.hex).toMatchObject({ best_rssi_dbm: -100, witness_count: 5, hotspot_count: 3 });
    expect(week.hotspots.map((h: { address: string; best_rssi_dbm: number; witness_count: number }) => [h.address, h.best_rssi_dbm, h.witness_count])).toEqual([
      [w1.address, -100, 2],
      [w2.address, -108, 1],
      [w3.address, -111, 2],
    ]);
    expect(week.hotspots[0].name).toBe('Lisbon One');
    const all = await call('GET', `/api/v1/hexes/${A}`);
    expect(all.hotspots[0]).toMatchObject({ address: w4.address, best_rssi_dbm: -70 });
    // A rollup's detail: w2 heard A and B this week.
    const rollup = await call('GET', `/api/v1/hexes/${parent7}?window=7d`);
    expect(rollup.hotspots.map((h: { address: string; witness_count: number }) => [h.address, h.witness_count])).toEqual([
      [w1.address, 2],
      [w2.address, 2],
      [w3.address, 2],
    ]);
  });

  it('documents the day granularity in the OpenAPI description of the parameters', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json();
    const params = spec.paths['/v1/coverage/point'].get.parameters as { name: string; description?: string }[];
    expect(params.find((p) => p.name === 'window')?.description).toMatch(/whole UTC days: 24h = yesterday and today/);
    expect(params.find((p) => p.name === 'as_of')?.description).toMatch(/all of 1 October included/);
  });
});
