import type { FastifyInstance } from 'fastify';
import { cellToParent, latLngToCell } from 'h3-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMapperServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { seedAmsterdam } from './fixtures';

let db: TestDatabase;
let app: FastifyInstance;
let seed: Awaited<ReturnType<typeof seedAmsterdam>>;
const metricsRegistry = new Registry();

beforeAll(async () => {
  db = await createTestDatabase();
  seed = await seedAmsterdam(db.sql);
  await db.sql`INSERT INTO epochs (epoch, start_at, end_at, status, emission, total_paid) VALUES (1, now() - interval '2 days', now() - interval '1 day', 'confirmed', 1000000, 1000000)`;
  await db.sql`INSERT INTO epoch_rewards (epoch, hotspot, beacon_shares, witness_shares, amount, cumulative) VALUES (1, ${seed.alpha.address}, 1, 2.5, 600000, 600000)`;
  await db.sql`
    INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate, tx_power, tmst, signature, status, reason)
    VALUES ('b1', ${seed.alpha.address}, now(), 1, '\\x00', '\\x00', '\\x01', 867100000, 0, 'SF12BW125', 14, 1, '\\x00', 'invalid', 'beacon_entropy_expired')`;
  await db.sql`
    INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status, reason, beacon_hash)
    VALUES ('w1', ${seed.beta.address}, now(), 1, '\\x01', 1, -1012, 55, 867100000, 'SF12BW125', '\\x00', 'invalid', 'witness_too_close', 'b1')`;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, metricsRegistry });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
};

describe('GET /api/v1/coverage', () => {
  it("answers the point's res-9 hex with signal class and freshness", async () => {
    const { status, body } = await get('/api/v1/coverage?lat=52.3702&lng=4.8952');
    expect(status).toBe(200);
    expect(body.h3).toBe(seed.centre);
    expect(body.covered).toBe(true);
    expect(body.coverage).toMatchObject({ h3: seed.centre, resolution: 9, signal_class: 'strong', best_rssi_dbm: -80, best_snr_db: 10, hotspot_count: 2 });
    expect(body.freshness.coverage_updated_at).toMatch(/^\d{4}-/);
  });

  it('says not covered for a point far away', async () => {
    const { status, body } = await get('/api/v1/coverage?lat=48.85&lng=2.35');
    expect(status).toBe(200);
    expect(body).toMatchObject({ covered: false, coverage: null, h3: latLngToCell(48.85, 2.35, 9) });
  });

  it('rejects bad coordinates with a specific 400', async () => {
    const { status, body } = await get('/api/v1/coverage?lat=123&lng=4');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.message).toMatch(/lat/);
  });

  it('applies the time window', async () => {
    const edge = seed.hexes.find((h) => h.rssi === -800 - 6 * 70)!;
    const all = await app.inject({ url: `/api/v1/hexes/${edge.h3}` });
    expect(all.statusCode).toBe(200);
    const recent = await app.inject({ url: `/api/v1/hexes/${edge.h3}?window=7d` });
    expect(recent.statusCode).toBe(404);
    expect(recent.json().error).toBe('hex_not_covered');
  });
});

describe('GET /api/v1/hexes (bbox)', () => {
  const bbox = '4.80,52.33,4.98,52.41';

  it('returns every covered res-9 hex in the box', async () => {
    const { status, body } = await get(`/api/v1/hexes?bbox=${bbox}&res=9`);
    expect(status).toBe(200);
    expect(body.resolution).toBe(9);
    expect(body.hexes).toHaveLength(seed.hexes.length);
    expect(new Set(body.hexes.map((h: { signal_class: string }) => h.signal_class))).toEqual(new Set(['strong', 'good', 'fair', 'weak']));
  });

  it('serves rollups at coarser resolutions chosen by zoom', async () => {
    const { body } = await get(`/api/v1/hexes?bbox=${bbox}&zoom=8`);
    expect(body.resolution).toBe(7);
    const expected = new Set(seed.hexes.map((h) => cellToParent(h.h3, 7)));
    expect(new Set(body.hexes.map((h: { h3: string }) => h.h3))).toEqual(expected);
    const centreParent = body.hexes.find((h: { h3: string }) => h.h3 === cellToParent(seed.centre, 7));
    expect(centreParent.signal_class).toBe('strong');
  });

  it('pages with a cursor without losing or repeating hexes', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body }: { body: { hexes: { h3: string }[]; next_cursor: string | null } } = await get(`/api/v1/hexes?bbox=${bbox}&res=9&limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      for (const h of body.hexes) {
        expect(seen.has(h.h3)).toBe(false);
        seen.add(h.h3);
      }
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(seed.hexes.length);
    expect(pages).toBeGreaterThan(2);
  });

  it('filters by last seen for a time window and rejects a malformed bbox', async () => {
    const { body } = await get(`/api/v1/hexes?bbox=${bbox}&res=9&window=7d`);
    expect(body.hexes.length).toBe(seed.hexes.filter((h) => h.lastSeen.getTime() > Date.now() - 7 * 86_400_000).length);
    const bad = await get('/api/v1/hexes?bbox=4,52,3&res=9');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/west,south,east,north/);
  });

  it('returns nothing for an empty area', async () => {
    const { body } = await get('/api/v1/hexes?bbox=2.3,48.8,2.4,48.9&res=9');
    expect(body.hexes).toEqual([]);
    expect(body.next_cursor).toBeNull();
  });
});

describe('hex detail, hotspots, search', () => {
  it('lists the hotspots that heard a hex, at res 9 and for a rollup', async () => {
    const { body } = await get(`/api/v1/hexes/${seed.centre}`);
    expect(body.hex.witness_count).toBe(10);
    expect(body.hotspots.map((h: { address: string }) => h.address).sort()).toEqual([seed.alpha.address, seed.beta.address].sort());
    const parent = cellToParent(seed.centre, 6);
    const rollup = await get(`/api/v1/hexes/${parent}`);
    expect(rollup.status).toBe(200);
    expect(rollup.body.hotspots.length).toBe(2);
    expect((await get('/api/v1/hexes/not-a-cell')).status).toBe(400);
  });

  it('lists hotspots in a bbox', async () => {
    const { body } = await get('/api/v1/hotspots?bbox=4.8,52.3,5.0,52.4');
    expect(body.hotspots.map((h: { name: string }) => h.name).sort()).toEqual(['Alpha Amstel Gateway', 'Beta Canal Relay']);
    expect(body.hotspots[0].status).toBe('active');
  });

  it('serves the hotspot page with reports, validity reasons and rewards', async () => {
    const { body } = await get(`/api/v1/hotspots/${seed.alpha.address}`);
    expect(body.hotspot.name).toBe('Alpha Amstel Gateway');
    expect(body.hotspot.recent_beacons[0]).toMatchObject({ hash: 'b1', status: 'invalid', reason: 'beacon_entropy_expired' });
    expect(body.hotspot.rewards[0]).toMatchObject({ epoch: 1, amount: '600000', witness_shares: 2.5 });
    const beta = await get(`/api/v1/hotspots/${seed.beta.address}`);
    expect(beta.body.hotspot.recent_witnesses[0]).toMatchObject({ status: 'invalid', reason: 'witness_too_close', signal_dbm: -101.2, beaconer: seed.alpha.address });
    const missing = await get('/api/v1/hotspots/112nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('unknown_hotspot');
  });

  it('searches hotspots by name and key prefix, places by name, and recognises H3 ids', async () => {
    expect((await get('/api/v1/search?q=alpha')).body.hotspots.map((h: { name: string }) => h.name)).toEqual(['Alpha Amstel Gateway']);
    expect((await get(`/api/v1/search?q=${seed.beta.address.slice(0, 12)}`)).body.hotspots[0].address).toBe(seed.beta.address);
    const places = (await get('/api/v1/search?q=Amsterd')).body.places;
    expect(places[0]).toMatchObject({ name: 'Amsterdam', country: 'NL' });
    expect((await get(`/api/v1/search?q=${seed.centre}`)).body.hex).toBe(seed.centre);
    expect((await get('/api/v1/search?q=')).status).toBe(400);
  });
});

describe('service endpoints', () => {
  it('serves health, readiness, metrics, the OpenAPI document and the map page', async () => {
    expect((await get('/healthz')).body.status).toBe('ok');
    expect((await get('/readyz')).body.status).toBe('ready');
    const metrics = { body: await metricsRegistry.metrics() }; // the ops listener serves this registry
    expect(metrics.body).toContain('mapper_http_request_duration_seconds_bucket');
    const openapi = await get('/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toContain('/api/v1/coverage');
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/build/map.js');
  });
});
