/**
 * Attack: the area limit was computed from a signed area that a disjoint hole ring or a self-intersecting ring cancels
 * out, and h3's enumeration costs the polygon's bounding box, not its area: one request enumerated 1.1 million cells
 * with the event loop blocked for seconds, and a thin diagonal sliver aborted the process (wasm out of memory).
 * Every such body must be refused with a 400 and a reason, and the server must stay up.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMapperServer, createApiKey } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let app: FastifyInstance;
let key: string;

beforeAll(async () => {
  db = await createTestDatabase();
  key = (await createApiKey(db.sql, 'geometry carrier', 100_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = async (url: string, body: unknown) => {
  const r = await app.inject({ method: 'POST', url, payload: body as object, headers: { 'x-api-key': key } });
  return { status: r.statusCode, body: r.json() as { error: string; message: string } };
};
const square = (west: number, south: number, size: number) => [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]];

describe('area geometry is validated before any cell is enumerated', () => {
  it('refuses a hole that lies outside its shell (the signed area cancelled to zero)', async () => {
    const r = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [square(4, 51, 3), square(10, 51, 3)] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_geometry');
    expect(r.body.message).toMatch(/hole/);
  });

  it('refuses a self-intersecting ring (a bow tie whose lobes cancel)', async () => {
    const bowTie = [[4, 51], [7, 54], [7, 51], [4, 54], [4, 51]];
    const r = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [bowTie] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_geometry');
    expect(r.body.message).toMatch(/self-intersect/);
  });

  it('refuses a hole that crosses its shell', async () => {
    const r = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [square(4, 51, 0.05), square(4.04, 51.01, 0.05)] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_geometry');
  });

  it('refuses a thin diagonal sliver whose bounding box holds millions of cells, and stays up', async () => {
    const sliver = [[0, 0], [60, 60], [60.0001, 60], [0.0001, 0], [0, 0]];
    const r = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [sliver] } });
    expect(r.status, r.body.message).toBe(400);
    expect(r.body.error, r.body.message).toBe('area_too_large');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // A shorter one is answered: cells are enumerated tile by tile, so its bounding box costs nothing.
    const short = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [[[4.8, 52.3], [4.9, 52.4], [4.9001, 52.4], [4.8001, 52.3], [4.8, 52.3]]] }, include_hexes: false });
    expect(short.status, short.body.message).toBe(200);
  });

  it('still answers a valid polygon with a hole inside its shell', async () => {
    const r = await post('/v1/coverage/area', { area: { type: 'Polygon', coordinates: [square(4.8, 52.3, 0.1), square(4.82, 52.32, 0.02)] }, include_hexes: false });
    expect(r.status).toBe(200);
    expect((r.body as unknown as { hex_count: number }).hex_count).toBeGreaterThan(0);
  });
});

describe('routes are sampled along the segments they describe', () => {
  it('refuses a segment that jumps across the antimeridian the long way', async () => {
    const r = await post('/v1/coverage/route', { route: { type: 'LineString', coordinates: [[179.9, 0], [-179.9, 0]] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_geometry');
  });
});
