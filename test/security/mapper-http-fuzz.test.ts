/**
 * Bounded HTTP fuzz over every route in the mapper's OpenAPI document (onboarding aside: its endpoints answer 503
 * chain_not_configured on a server without a chain, by design), through fastify inject on the real server and a real
 * PostgreSQL. Paths are re-spelled (percent-encoded letters, case, doubled slashes, ;-params), query strings get
 * repeated keys, 100 KB values, huge numbers, unicode and NUL, path parameters get hostile text.
 * Invariants: never a 5xx; never a 2xx on a /v1 route without an API key; every refusal names its reason.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMapperServer, createApiKey } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let app: FastifyInstance;
let key: string;
let routes: { method: 'GET' | 'POST'; path: string; params: string[] }[] = [];
let tried = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  key = (await createApiKey(db.sql, 'fuzz carrier', 10_000_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, publicRateLimitPerMinute: 10_000_000, invalidApiKeysPerMinute: 10_000_000 });
  const spec = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  for (const [path, operations] of Object.entries(spec.paths)) {
    if (path.startsWith('/api/v1/onboarding')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (method !== 'get' && method !== 'post') continue;
      routes.push({ method: method.toUpperCase() as 'GET' | 'POST', path, params: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) });
    }
  }
});
afterAll(async () => {
  console.log(`FUZZ mapper HTTP: ${tried} requests over ${routes.length} routes`);
  await app?.close();
  await db?.drop();
});

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('1e308', '-1e308', '1e400', '9'.repeat(400), 'NaN', 'Infinity', '0x1f', '\u0000', '%00', '%', '%%', '%zz', '../..', '𝔘𝔫𝔦', '\u202e', "'; DROP TABLE api_keys; --"),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.constant('x'.repeat(100 * 1024)),
);

/** Re-spells a path the way an attacker would: encoded letters, case changes, doubled slashes, ;-params. */
const spelling = fc.constantFrom<(path: string) => string>(
  (p) => p,
  (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
  (p) => p.replace(/[a-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  (p) => p.toUpperCase(),
  (p) => p.replace(/\//g, '//'),
  (p) => `${p}/`,
  (p) => `${p};a=b`,
  (p) => p.replace('/v1', '/v1;x'),
);

function queryString(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The canonical route a spelled path names, as the router would decode it (undefined when it does not decode). */
function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path).replace(/;[^/]*/g, '');
  } catch {
    return undefined;
  }
}

async function send(method: 'GET' | 'POST', url: string, withKey: boolean, payload?: string) {
  tried++;
  const r = await app.inject({
    method,
    url,
    headers: { ...(withKey ? { 'x-api-key': key } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload } : {}),
  });
  expect(r.statusCode, `${method} ${url.slice(0, 200)} → ${r.body.slice(0, 200)}`).toBeLessThan(500);
  if (r.statusCode >= 400 && r.headers['content-type']?.toString().includes('json')) expect(typeof (r.json() as { error?: unknown }).error).toBe('string');
  const canonical = decodedPath(url.split('?')[0]!);
  if (!withKey && canonical?.toLowerCase().startsWith('/v1/')) expect(r.statusCode, `unauthenticated ${method} ${url.slice(0, 200)}`).not.toBeLessThan(300);
  return r;
}

describe('mapper HTTP fuzz over the OpenAPI document', () => {
  it('finds the carriers and map routes in the document', () => {
    expect(routes.some((r) => r.path === '/v1/coverage/point')).toBe(true);
    expect(routes.some((r) => r.path === '/api/v1/hexes')).toBe(true);
  });

  it('answers every route under encoded, duplicated and oversized variants without a 5xx or an unauthenticated /v1 2xx', async () => {
    for (const route of routes) {
      const names = [...route.params, 'x'];
      const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), hostile);
      await fc.assert(
        fc.asyncProperty(spelling, fc.array(pair, { maxLength: 6 }), fc.array(hostile, { minLength: 2, maxLength: 2 }), fc.boolean(), fc.jsonValue({ maxDepth: 3 }), async (spell, pairs, segments, withKey, body) => {
          // Path parameters ({h3}, {address}) get hostile text; a repeated key doubles a real parameter.
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(segments[i++ % segments.length]!) || 'x');
          if (names.length > 1 && pairs.length > 0) pairs.push([pairs[0]![0], pairs[0]![1]]);
          const url = `${spell(path)}?${queryString(pairs)}`;
          await send(route.method, url, withKey, route.method === 'POST' ? JSON.stringify(body) : undefined);
        }),
        { numRuns: 40 },
      );
    }
  });
});
