import type { FastifyInstance } from 'fastify';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../src/api-keys';
import { runApiKeysCli } from '../src/cli/api-keys';
import { buildMapperServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { seedAmsterdam } from './fixtures';

let db: TestDatabase;
let app: FastifyInstance;
let seed: Awaited<ReturnType<typeof seedAmsterdam>>;
let key: string;
const metricsRegistry = new Registry();

beforeAll(async () => {
  db = await createTestDatabase();
  seed = await seedAmsterdam(db.sql);
  key = (await createApiKey(db.sql, 'Test carrier', 10_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', metricsRegistry });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const call = async (method: 'GET' | 'POST', url: string, body?: unknown, apiKey: string | null = key) => {
  const r = await app.inject({ method, url, payload: body as object, headers: apiKey ? { 'x-api-key': apiKey } : {} });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
};

// A square around the seeded disk's centre, about 2.2 km × 2.2 km, and one far bigger than the disk.
const square = (half: number) => ({
  type: 'Polygon',
  coordinates: [[[4.8952 - half, 52.3702 - half], [4.8952 + half, 52.3702 - half], [4.8952 + half, 52.3702 + half], [4.8952 - half, 52.3702 + half], [4.8952 - half, 52.3702 - half]]],
});

describe('API keys', () => {
  it('refuses requests without a key, with a malformed key, with an unknown key and with a revoked key', async () => {
    const none = await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('missing_api_key');
    expect((await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, 'hello')).body.error).toBe('invalid_api_key');
    const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, forged)).status).toBe(401);
    const revoked = await createApiKey(db.sql, 'Former carrier');
    await revokeApiKey(db.sql, revoked.id);
    const r = await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, revoked.key);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('revoked_api_key');
  });

  it('stores only a hash of the secret', async () => {
    const rows = await db.sql<{ id: string; secret_sha256: Buffer }[]>`SELECT id, secret_sha256 FROM api_keys`;
    const secret = key.split('_').slice(2).join('_');
    for (const row of rows) {
      expect(row.secret_sha256.length).toBe(32);
      expect(row.secret_sha256.toString('utf8')).not.toContain(secret);
    }
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const limited = await createApiKey(db.sql, 'Small carrier', 3);
    for (let i = 0; i < 3; i++) expect((await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, limited.key)).status).toBe(200);
    const over = await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, limited.key);
    expect(over.status).toBe(429);
    expect(over.body.error).toBe('rate_limited');
    expect(over.headers['retry-after']).toBeDefined();
    // Another key is unaffected.
    expect((await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89')).status).toBe(200);
  });

  it('creates, lists and revokes keys from the CLI', async () => {
    const lines: string[] = [];
    expect(await runApiKeysCli(['create', '--name', 'CLI carrier', '--rate-limit', '120', '--database-url', db.url], (l) => lines.push(l))).toBe(0);
    const created = lines.find((l) => l.startsWith('key: '))!.slice(5);
    expect((await call('GET', '/v1/coverage/point?lat=52.37&lng=4.89', undefined, created)).status).toBe(200);
    const id = created.split('_')[1]!;
    lines.length = 0;
    expect(await runApiKeysCli(['list', '--database-url', db.url], (l) => lines.push(l))).toBe(0);
    expect(lines.some((l) => l.startsWith(id) && l.includes('CLI carrier') && l.includes('120/min'))).toBe(true);
    expect(await runApiKeysCli(['revoke', id, '--database-url', db.url], (l) => lines.push(l))).toBe(0);
    expect(await runApiKeysCli(['revoke', id, '--database-url', db.url], (l) => lines.push(l))).toBe(1);
    expect(await runApiKeysCli(['create', '--database-url', db.url], (l) => lines.push(l))).toBe(2);
    expect(await runApiKeysCli(['--help'], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/^usage: api-keys create/);
    expect(await runApiKeysCli(['list', '--bogus'], (l) => lines.push(l))).toBe(2);
    expect(lines.at(-1)).toMatch(/Unknown option '--bogus'/);
  });
});

describe('coverage queries', () => {
  it('answers a point with signal class and freshness', async () => {
    const { status, body } = await call('GET', '/v1/coverage/point?lat=52.3702&lng=4.8952');
    expect(status).toBe(200);
    expect(body).toMatchObject({ h3: seed.centre, covered: true, signal_class: 'strong' });
    expect(body.coverage.best_rssi_dbm).toBe(-80);
    expect(body.freshness.coverage_updated_at).toBeTruthy();
    expect(body.freshness.generated_at).toBeTruthy();
    const bad = await call('GET', '/v1/coverage/point?lat=abc&lng=4');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/lat/);
  });

  it('writes a point answer with exactly the fields the OpenAPI document gives, in its order, for every kind of answer', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json();
    const documented = spec.paths['/v1/coverage/point'].get.responses['200'].content['application/json'].schema;
    // Keys in order, descending into objects the schema describes; a null where the schema allows it has no keys.
    const shape = (value: unknown, schema: { properties?: Record<string, unknown> }): unknown =>
      value === null || typeof value !== 'object' || !schema.properties
        ? typeof value
        : Object.entries(value).map(([k, v]) => [k, schema.properties![k] ? shape(v, schema.properties![k] as never) : 'undocumented']);
    const expected = (schema: { properties?: Record<string, unknown> }): string[] => Object.keys(schema.properties ?? {});
    const queries = [
      'lat=52.3702&lng=4.8952', // measured, strong
      'lat=48.85&lng=2.35', // unmapped: nothing in reach
      'lat=52.3702&lng=4.8952&environment=indoor&spreading_factor=7&tx_power_dbm=20.5&antenna_gain_dbi=-2',
      'lat=52.40&lng=4.95&window=7d', // estimated near the seeded hotspots, not measured
    ];
    const sources = new Set<string>();
    for (const q of queries) {
      const r = await app.inject({ url: `/v1/coverage/point?${q}`, headers: { 'x-api-key': key } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = r.json();
      sources.add(body.source);
      expect(Object.keys(body)).toEqual(expected(documented));
      for (const field of ['coverage', 'predicted', 'measurements', 'device', 'freshness']) {
        if (body[field] !== null) expect(Object.keys(body[field]), `${q}: ${field}`).toEqual(expected(documented.properties[field]));
      }
      expect(JSON.stringify(shape(body, documented))).not.toContain('undocumented');
    }
    expect([...sources].sort()).toEqual(['estimated', 'unmapped', 'witness']);
    const device = (await call('GET', `/v1/coverage/point?${queries[2]}`)).body.device;
    expect(device).toEqual({ tx_power_dbm: 20.5, antenna_gain_dbi: -2, spreading_factor: 7, environment: 'indoor' });
  });

  it('answers a batch of points in order', async () => {
    const { body } = await call('POST', '/v1/coverage/points', { points: [{ lat: 52.3702, lng: 4.8952, id: 'a' }, { lat: 48.85, lng: 2.35, id: 'b' }] });
    expect(body.count).toBe(2);
    expect(body.covered_count).toBe(1);
    expect(body.results.map((r: { id: string; covered: boolean }) => [r.id, r.covered])).toEqual([['a', true], ['b', false]]);
    const tooMany = await call('POST', '/v1/coverage/points', { points: Array.from({ length: 1001 }, () => ({ lat: 0, lng: 0 })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/1000/);
  });

  it('gives an area its covered fraction and covered hexes', async () => {
    const inner = await call('POST', '/v1/coverage/area', { area: square(0.004) });
    expect(inner.status).toBe(200);
    expect(inner.body.covered_fraction).toBe(1);
    expect(inner.body.hexes.length).toBe(inner.body.hex_count);
    const outer = await call('POST', '/v1/coverage/area', { area: { type: 'Feature', geometry: square(0.05), properties: {} }, include_hexes: false });
    expect(outer.body.covered_count).toBe(seed.hexes.length);
    expect(outer.body.covered_fraction).toBeGreaterThan(0);
    expect(outer.body.covered_fraction).toBeLessThan(0.5);
    expect(outer.body.hexes).toBeUndefined();
    expect(Object.values(outer.body.by_signal_class as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(seed.hexes.length);
  });

  it('rejects oversized areas and polygons with too many vertices with specific errors', async () => {
    const big = await call('POST', '/v1/coverage/area', { area: square(2) });
    expect(big.status).toBe(400);
    expect(big.body.error).toBe('area_too_large');
    expect(big.body.message).toMatch(/resolution \d/);
    const ring = Array.from({ length: 6000 }, (_, i) => [4.9 + 0.01 * Math.cos((i / 6000) * 2 * Math.PI), 52.37 + 0.01 * Math.sin((i / 6000) * 2 * Math.PI)]);
    ring.push(ring[0]!);
    const jagged = await call('POST', '/v1/coverage/area', { area: { type: 'Polygon', coordinates: [ring] } });
    expect(jagged.status).toBe(400);
    expect(jagged.body.error).toBe('too_many_vertices');
    const notPolygon = await call('POST', '/v1/coverage/area', { area: { type: 'Point', coordinates: [1, 2] } });
    expect(notPolygon.status).toBe(400);
    expect(notPolygon.body.error).toBe('invalid_request');
  });

  it('gives a route its covered fraction and the gap beyond the covered disk', async () => {
    const [lat0, lng0] = cellToLatLng(seed.centre);
    const { status, body } = await call('POST', '/v1/coverage/route', { route: { type: 'LineString', coordinates: [[lng0, lat0], [lng0 + 0.06, lat0]] } });
    expect(status).toBe(200);
    expect(body.length_m).toBeGreaterThan(4000);
    expect(body.covered_fraction).toBeGreaterThan(0.2);
    expect(body.covered_fraction).toBeLessThan(0.8);
    expect(body.gaps).toHaveLength(1);
    expect(body.gaps[0].end[0]).toBeCloseTo(lng0 + 0.06, 5);
    expect(body.gaps[0].length_m).toBeGreaterThan(1000);
    const far = await call('POST', '/v1/coverage/route', { route: { type: 'LineString', coordinates: [[0, 0], [30, 0]] } });
    expect(far.status).toBe(400);
    expect(far.body.error).toBe('route_too_long');
  });

  it('lists hexes in a bbox as GeoJSON or H3 ids, paginated', async () => {
    const bbox = '4.80,52.33,4.98,52.41';
    const geo = await call('GET', `/v1/coverage/hexes?bbox=${bbox}&resolution=9&limit=100`);
    expect(geo.body.type).toBe('FeatureCollection');
    expect(geo.body.features[0].geometry.type).toBe('Polygon');
    expect(geo.body.next_cursor).toMatch(/^[0-9a-f]{15}$/);
    const rest = await call('GET', `/v1/coverage/hexes?bbox=${bbox}&resolution=9&format=h3&limit=100&cursor=${geo.body.next_cursor}`);
    expect(geo.body.features.length + rest.body.hexes.length).toBe(seed.hexes.length);
    expect(rest.body.next_cursor).toBeNull();
    const coarse = await call('GET', `/v1/coverage/hexes?bbox=${bbox}&resolution=5&format=h3`);
    expect(coarse.body.hexes).toContain(latLngToCell(52.3702, 4.8952, 5));
  });
});

describe('service', () => {
  it('sends no CORS headers: carriers call the API from their servers, never with a key in a web page', async () => {
    const pre = await app.inject({ method: 'OPTIONS', url: '/v1/coverage/area', headers: { origin: 'https://carrier.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('documents the API in OpenAPI 3 with interactive docs', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/v1/coverage/point', '/v1/coverage/points', '/v1/coverage/area', '/v1/coverage/route', '/v1/coverage/hexes']) expect(spec.paths[path]).toBeDefined();
    expect(spec.info.description).toMatch(/strong/);
    expect(spec.components.securitySchemes.apiKey).toBeDefined();
    const docs = await app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('counts requests in metrics (served by the ops listener from the registry it is given)', async () => {
    expect((await app.inject({ url: '/no-such-page' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toMatch(/mapper_http_rejected_total\{route="unmatched",status_code="404"\} [1-9]/);
    expect(metrics).toMatch(/mapper_http_request_duration_seconds_count\{method="HEAD",route="\/healthz",status_code="200"\} [1-9]/);
    expect(metrics).toMatch(/mapper_http_request_duration_seconds_count\{method="GET",route="\/docs\/?",status_code="200"\} [1-9]/);
    expect(metrics).toMatch(/mapper_http_request_duration_seconds_count\{method="GET",route="\/v1\/coverage\/point",status_code="200"\} \d+/);
    expect(metrics).toMatch(/mapper_http_rejected_total\{route="\/v1\/coverage\/point",status_code="401"\}/);
  });
});
