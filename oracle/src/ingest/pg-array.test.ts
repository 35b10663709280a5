import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { arrayLiteral, byteaElement, textElement, timestampElement } from './pg-array';

/** The literals PostgreSQL itself parses back to the very values they were built from, awkward ones included. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

// PostgreSQL text cannot hold NUL (store.ts replaces it in untrusted text before it gets here).
const pgText = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\u0000', ''));
const awkward = ['', 'NULL', 'null', ' ', ' a ', '{', '}', '{}', ',', '"', '\\', '\\"', 'a,b', '"quoted"', '\\x00', 'é ✓ 🛰', '\t\n\r'];

describe('PostgreSQL array literals', () => {
  it('text elements, NULL among them, come back unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.oneof(pgText, fc.constantFrom(...awkward)), { nil: null }), { maxLength: 30 }), async (values) => {
        // Elements one per row: postgres.js reads a NULL inside an array's text output back as the string 'NULL'.
        const rows = await db.sql<{ v: string | null }[]>`SELECT v FROM unnest(${arrayLiteral(values, textElement)}::text[]) WITH ORDINALITY AS u (v, i) ORDER BY i`;
        expect(rows.map((r) => r.v)).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it('bytea elements come back byte for byte, views into larger buffers included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.nat(8)), { minLength: 1, maxLength: 20 }), async (items) => {
        const views = items.map(([bytes, pad]) => {
          const backing = new Uint8Array(bytes.length + 2 * pad).fill(0xee);
          backing.set(bytes, pad);
          return backing.subarray(pad, pad + bytes.length);
        });
        const [row] = await db.sql<{ v: Buffer[] }[]>`SELECT ${arrayLiteral(views, byteaElement)}::bytea[] AS v`;
        expect(row!.v.map((b) => [...b])).toEqual(items.map(([bytes]) => [...bytes]));
      }),
      { numRuns: 100 },
    );
  });

  it('timestamps keep their milliseconds and numbers their digits', async () => {
    const dates = [new Date(0), new Date('2026-12-02T23:59:59.999Z'), new Date(Date.UTC(1999, 0, 1, 0, 0, 0, 1))];
    const nanos = [0n, 1_764_633_600_123_456_789n, 18_446_744_073_709_551_615n];
    const [row] = await db.sql<{ t: Date[]; n: string[]; e: string }[]>`
      SELECT ${arrayLiteral(dates, timestampElement)}::timestamptz[] AS t, ${arrayLiteral(nanos, String)}::numeric[]::text[] AS n,
        ${arrayLiteral([], textElement)}::text[]::text AS e`;
    expect(row!.t.map((d) => d.getTime())).toEqual(dates.map((d) => d.getTime()));
    expect(row!.n).toEqual(nanos.map(String));
    expect(row!.e).toBe('{}');
  });
});
