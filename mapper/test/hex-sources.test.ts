import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { recordCoverage } from '@poc/oracle';
import { cellToParent, latLngToCell } from 'h3-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMapperServer } from '../src/server';

let db: TestDatabase;
let app: FastifyInstance;
const cell = latLngToCell(52.52, 13.405, 9);

beforeAll(async () => {
  db = await createTestDatabase();
  const at = new Date();
  // One hotspot measured the cell both ways, another only from a mapper device's frames.
  await recordCoverage(db.sql, [
    { h3Res9: cell, witness: 'hotspot-a', signal: -900, snr: 50, at },
    { h3Res9: cell, witness: 'hotspot-a', signal: -850, snr: 60, at, source: 'mapper' },
    { h3Res9: cell, witness: 'hotspot-b', signal: -1000, snr: 20, at, source: 'mapper' },
  ]);
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, metricsRegistry: new Registry() });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('coverage sources', () => {
  it('a hex page lists each hotspot once with how it was measured; counts stay per hotspot', async () => {
    for (const h3 of [cell, cellToParent(cell, 7)]) {
      const body = (await app.inject({ method: 'GET', url: `/api/v1/hexes/${h3}` })).json();
      expect(body.hex).toMatchObject({ witness_count: 3, hotspot_count: 2, best_rssi_dbm: -85 });
      expect(body.hotspots.map((h: { address: string; sources: string[]; witness_count: number }) => [h.address, h.sources, h.witness_count])).toEqual([
        ['hotspot-a', ['mapper', 'witness'], 2],
        ['hotspot-b', ['mapper'], 1],
      ]);
    }
    const [row] = await db.sql<{ mapper_count: string }[]>`SELECT mapper_count::text FROM coverage_hexes WHERE resolution = 9 AND h3 = ${cell}`;
    expect(row!.mapper_count).toBe('2');
  });
});
