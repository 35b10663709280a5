/**
 * Attack: a world-sized bbox with a time window made the hexes query aggregate the whole daily history in the box
 * before applying the page limit, so one cheap public request cost time linear in the stored history. The page must
 * be chosen before aggregating: rows read stay bounded by the page size, whatever the history holds. Work is measured
 * as rows PostgreSQL read from the tables (its own statistics counters), not as time.
 */
import type { FastifyInstance } from 'fastify';
import { gridDisk, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '@poc/db';
import { buildMapperServer, createApiKey } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let serverSql: Database;
let app: FastifyInstance;
let key: string;
let historyRows = 0;
const cells = gridDisk(latLngToCell(52.37, 4.89, 9), 25); // 1,951 res-9 cells

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`
    INSERT INTO coverage_hexes (h3, resolution, best_rssi, best_snr, witness_count, hotspot_count, first_seen_at, last_seen_at)
    SELECT c, 9, -900, 50, 60, 2, now() - interval '40 days', now() FROM unnest(${cells}::text[]) c`;
  // 30 days × 2 hotspots of history for every cell: about 117,000 rows.
  await db.sql`
    INSERT INTO coverage_hex_hotspot_days (h3, day, hotspot, best_rssi, best_snr, witness_count, last_seen_at)
    SELECT c, d::date, h, -900, 50, 1, d + interval '1 hour'
    FROM unnest(${cells}::text[]) c
    CROSS JOIN generate_series(current_date - 29, current_date, interval '1 day') d
    CROSS JOIN unnest(ARRAY['hotspot-a', 'hotspot-b']) h`;
  await db.sql`ANALYZE coverage_hexes`;
  await db.sql`ANALYZE coverage_hex_hotspot_days`;
  historyRows = Number((await db.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM coverage_hex_hotspot_days`)[0]!.n);
  key = (await createApiKey(db.sql, 'bbox carrier', 100_000)).key;
  // One connection, so the statistics this test reads are the ones the server's queries produced.
  serverSql = connectDatabase(db.url, { max: 1 });
  app = await buildMapperServer({ sql: serverSql, coverageIndex: false, publicRateLimitPerMinute: 100_000 });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await serverSql?.end({ timeout: 5 });
  await db?.drop();
});

/** Rows read from `table` (sequential plus index tuples) by the server's connection since the last call. */
async function rowsRead(table: string): Promise<number> {
  await serverSql`SELECT pg_stat_force_next_flush()`;
  const [t] = await serverSql<{ n: string }[]>`
    SELECT (coalesce(s.seq_tup_read, 0) + coalesce((SELECT sum(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = s.relid), 0))::text AS n
    FROM pg_stat_user_tables s WHERE s.relname = ${table}`;
  return Number(t?.n ?? 0);
}

async function readsOf(url: string, headers: Record<string, string> = {}) {
  const before = { history: await rowsRead('coverage_hex_hotspot_days'), hexes: await rowsRead('coverage_hexes') };
  const r = await app.inject({ url, headers });
  expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
  const after = { history: await rowsRead('coverage_hex_hotspot_days'), hexes: await rowsRead('coverage_hexes') };
  return { body: r.json(), history: after.history - before.history, hexes: after.hexes - before.hexes };
}

describe('hexes in a bbox: the page is chosen before aggregating', () => {
  it('reads a bounded number of history rows for a world bbox with a 30-day window (map API)', async () => {
    expect(historyRows).toBeGreaterThan(100_000);
    const { body, history, hexes } = await readsOf('/api/v1/hexes?bbox=-180,-90,180,90&res=9&window=30d&limit=20');
    expect(body.hexes).toHaveLength(20);
    expect(body.next_cursor).toMatch(/^[0-9a-f]{15}$/);
    // 20 cells × 31 days × 2 hotspots at most, plus index probes; far below the ~117,000 rows in the box.
    expect(history).toBeLessThan(5_000);
    expect(hexes).toBeLessThan(5_000);
  });

  it('reads a bounded number of history rows for a world bbox with a 30-day window (carriers API)', async () => {
    const { body, history } = await readsOf('/v1/coverage/hexes?bbox=-180,-90,180,90&resolution=9&window=30d&limit=20&format=h3', { 'x-api-key': key });
    expect(body.hexes).toHaveLength(20);
    expect(history).toBeLessThan(5_000);
  });

  it('pages through every cell of the window without losing or repeating one', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const r = await app.inject({ url: `/api/v1/hexes?bbox=4.6,52.2,5.2,52.6&res=9&window=7d&limit=500${cursor ? `&cursor=${cursor}` : ''}` });
      const body = r.json() as { hexes: { h3: string; witness_count: number }[]; next_cursor: string | null };
      for (const h of body.hexes) {
        expect(seen.has(h.h3)).toBe(false);
        expect(h.witness_count).toBe(16); // 8 days × 2 hotspots × 1
        seen.add(h.h3);
      }
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.size).toBe(cells.length);
  });
});
