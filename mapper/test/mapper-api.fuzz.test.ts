import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys';
import { buildMapperServer } from '../src/server';
import { seedAmsterdam } from './fixtures';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

/**
 * Every mapper endpoint (map API and carriers' API) under arbitrary input, through fastify inject on the real
 * server and a real PostgreSQL: each request is answered (2xx, or 4xx with an error code), never a 5xx.
 */
let db: TestDatabase;
let app: FastifyInstance;
let key: string;
let tried = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedAmsterdam(db.sql);
  key = (await createApiKey(db.sql, 'fuzz carrier', 1_000_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', publicRateLimitPerMinute: 1_000_000 });
});
afterAll(async () => {
  console.log(`FUZZ mapper API: ${tried} requests tried, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  await app?.close();
  await db?.drop();
});

async function send(method: 'GET' | 'POST', url: string, options: { query?: Record<string, string>; payload?: string | Buffer; contentType?: string } = {}) {
  tried++;
  const r = await app.inject({
    method,
    url,
    ...(options.query ? { query: options.query } : {}),
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
    headers: { 'x-api-key': key, ...(options.payload !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}) },
  });
  statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
  if (r.statusCode >= 500) throw new Error(`${method} ${url} ${JSON.stringify(options.query ?? '')} ${String(options.payload ?? '').slice(0, 300)} → ${r.statusCode} ${r.body.slice(0, 300)}`);
  if (r.statusCode >= 400) {
    const body = r.json() as { error?: string; message?: string };
    expect(typeof body.error).toBe('string'); // a machine-readable reason
  }
  return r;
}

const hostile = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom("' OR 1=1 --", "1; DROP TABLE hotspots; --", 'NaN', 'Infinity', '-0', '1e400', '0x10', '', ' ', '\u0000', '%00', '../', '8a1969', '891969aaaaaffff'),
  fc.double().map(String),
  fc.integer().map(String),
);
const queryOf = (names: string[]) =>
  fc.dictionary(names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 })) : fc.string({ maxLength: 10 }), hostile, { maxKeys: 6 });
const runs = { numRuns: 150 };

const GETS: { url: string; params: string[] }[] = [
  { url: '/api/v1/coverage', params: ['lat', 'lng', 'window', 'as_of'] },
  { url: '/api/v1/hexes', params: ['bbox', 'res', 'zoom', 'cursor', 'limit', 'window', 'as_of'] },
  { url: '/api/v1/hotspots', params: ['bbox', 'limit', 'window', 'as_of'] },
  { url: '/api/v1/search', params: ['q'] },
  { url: '/api/v1/signal-classes', params: [] },
  { url: '/v1/coverage/point', params: ['lat', 'lng', 'window', 'as_of'] },
  { url: '/v1/coverage/hexes', params: ['bbox', 'res', 'format', 'cursor', 'limit', 'window', 'as_of'] },
  { url: '/v1/signal-classes', params: [] },
];

describe('mapper HTTP API under arbitrary input', () => {
  for (const endpoint of GETS) {
    it(`GET ${endpoint.url} answers every query without a 5xx`, async () => {
      await fc.assert(fc.asyncProperty(queryOf(endpoint.params), async (query) => void (await send('GET', endpoint.url, { query }))), runs);
    });
  }

  it('GET /api/v1/hexes/:h3 and /api/v1/hotspots/:address answer any path segment', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (segment) => {
        await send('GET', `/api/v1/hexes/${encodeURIComponent(segment)}`);
        await send('GET', `/api/v1/hotspots/${encodeURIComponent(segment)}`);
      }),
      runs,
    );
  });

  const coordinate = fc.oneof(fc.double({ min: -400, max: 400, noNaN: true }), fc.constantFrom(0, 180, -180, 90, -90, 1e308));
  const position = fc.oneof(fc.tuple(coordinate, coordinate), fc.array(fc.oneof(coordinate, fc.jsonValue()), { maxLength: 4 }));
  const ring = fc.array(position, { maxLength: 12 });
  const geometry = fc.oneof(
    fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon', 'LineString', 'Point', 'Feature', 'polygon', ''), coordinates: fc.oneof(fc.array(ring, { maxLength: 3 }), fc.array(fc.array(ring, { maxLength: 2 }), { maxLength: 2 }), ring, fc.jsonValue()) }),
    fc.record({ type: fc.constant('Feature'), geometry: fc.jsonValue({ maxDepth: 3 }), properties: fc.jsonValue({ maxDepth: 2 }) }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const bodies: Record<string, fc.Arbitrary<unknown>> = {
    '/v1/coverage/points': fc.oneof(fc.record({ points: fc.array(fc.record({ lat: fc.oneof(coordinate, fc.jsonValue()), lng: fc.oneof(coordinate, fc.jsonValue()), id: hostile }, { requiredKeys: [] }), { maxLength: 20 }) }), fc.jsonValue({ maxDepth: 3 })),
    '/v1/coverage/area': fc.oneof(fc.record({ area: geometry, include_hexes: fc.oneof(fc.boolean(), fc.jsonValue()), window: hostile }, { requiredKeys: ['area'] }), fc.jsonValue({ maxDepth: 3 })),
    '/v1/coverage/route': fc.oneof(fc.record({ route: geometry, window: hostile }, { requiredKeys: ['route'] }), fc.jsonValue({ maxDepth: 3 })),
  };
  for (const [url, body] of Object.entries(bodies)) {
    it(`POST ${url} answers arbitrary and invalid GeoJSON bodies without a 5xx`, async () => {
      await fc.assert(fc.asyncProperty(body, async (value) => void (await send('POST', url, { payload: JSON.stringify(value) ?? 'null' }))), runs);
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => void (await send('POST', url, { payload: Buffer.from(bytes) }))), { numRuns: 50 });
    });
  }

  it('refuses huge bodies and degenerate geometry with a 4xx, then is still healthy and ready', async () => {
    const huge = await send('POST', '/v1/coverage/area', { payload: JSON.stringify({ area: { type: 'Polygon', coordinates: [[[0, 0]]] }, pad: 'x'.repeat(6 * 1024 * 1024) }) });
    expect(huge.statusCode).toBe(413);
    const manyVertices = Array.from({ length: 200_000 }, (_, i) => [4.8 + Math.cos(i) * 0.01, 52.3 + Math.sin(i) * 0.01]);
    const spiky = await send('POST', '/v1/coverage/area', { payload: JSON.stringify({ area: { type: 'Polygon', coordinates: [manyVertices] } }) });
    expect(spiky.statusCode).toBeGreaterThanOrEqual(200);
    const world = await send('POST', '/v1/coverage/area', { payload: JSON.stringify({ area: { type: 'Polygon', coordinates: [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]] } }) });
    expect(world.statusCode).toBeGreaterThanOrEqual(400);
    const longRoute = await send('POST', '/v1/coverage/route', { payload: JSON.stringify({ route: { type: 'LineString', coordinates: [[-170, -80], [170, 80]] } }) });
    expect(longRoute.statusCode).toBeLessThan(500);
    const notJson = await send('POST', '/v1/coverage/points', { payload: '{"points": [', contentType: 'application/json' });
    expect(notJson.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(await db.sql`SELECT count(*) FROM hotspots`).toHaveLength(1); // the tables survived every SQL-shaped string
  });
});
