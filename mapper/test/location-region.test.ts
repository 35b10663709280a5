import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { buildMapperServer } from '../src/server';

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, onboarding: null });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const check = async (body: unknown) => {
  const r = await app.inject({ method: 'POST', url: '/api/v1/onboarding/location-check', payload: body as object });
  return { status: r.statusCode, body: r.json() };
};

describe('onboarding location check: the region a pin lands in', () => {
  // Expected plans: hplans regions.csv, the table packages/protocol/src/region-map/country-plans.ts names.
  it.each([
    ['São Paulo', -23.55, -46.63, 'BR', 'AU915'],
    ['Montevideo', -34.9, -56.16, 'UY', 'AU915'],
    ['Hanoi', 21.03, 105.85, 'VN', 'AS923_2'],
    ['Manila', 14.6, 120.98, 'PH', 'AS923_3'],
    ['Tel Aviv', 32.08, 34.78, 'IL', 'AS923_4'],
    ['Seoul', 37.56, 126.97, 'KR', 'KR920'],
    ['Delhi', 28.61, 77.2, 'IN', 'IN865'],
  ])('%s (%f, %f) → %s, %s', async (_place, lat, lng, country, region) => {
    const r = await check({ lat, lng });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ country, region });
    expect(r.body.warnings.map((w: { code: string }) => w.code)).not.toContain('no_region');
  });

  it('warns, with the reason, where no region applies: open sea, or a country Helium served no plan', async () => {
    const sea = await check({ lat: 0, lng: -140 });
    expect(sea.body).toMatchObject({ region: null, country: null });
    expect(sea.body.warnings.find((w: { code: string }) => w.code === 'no_region').message).toMatch(/at sea/);
    const nepal = await check({ lat: 27.7, lng: 85.32 });
    expect(nepal.body).toMatchObject({ region: null, country: 'NP' });
    expect(nepal.body.warnings.find((w: { code: string }) => w.code === 'no_region').message).toMatch(/No LoRaWAN channel plan is served in NP/);
  });

  it('refuses what is no location with a 400 naming the field, and never answers a region for it', async () => {
    for (const body of [{ lat: 91, lng: 0 }, { lat: 0, lng: 181 }, { lat: 'x', lng: 0 }, { lat: null, lng: 0 }, {}]) {
      const r = await check(body);
      expect(r.status).toBe(400);
      expect(r.body.region).toBeUndefined();
      expect(JSON.stringify(r.body)).toMatch(/lat|lng/);
    }
  });
});
