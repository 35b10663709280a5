/**
 * Attack: the carriers' key check and the rate limits were decided on the raw URL text while the router decodes it,
 * so `/%761/coverage/point` was served without a key and `/%61pi/v1/...` was never rate limited. Requests go over a
 * real socket with the path exactly as written (no client-side normalisation), in every encoding, case and slash variant.
 */
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMapperServer, createApiKey } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildMapperServer({ sql: db.sql, coverageIndex: false, publicRateLimitPerMinute: 3 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Spellings of one path: percent-encoded letters, doubled/trailing slashes, case, `;` parameters, dot segments, encoded slashes. */
function variants(path: string): string[] {
  const [first, ...rest] = path.slice(1).split('/');
  const encodeChar = (s: string, i: number) => s.slice(0, i) + `%${s.charCodeAt(i).toString(16)}` + s.slice(i + 1);
  const encodeCharUpper = (s: string, i: number) => s.slice(0, i) + `%${s.charCodeAt(i).toString(16).toUpperCase()}` + s.slice(i + 1);
  return [
    path,
    `/${encodeChar(first!, 0)}/${rest.join('/')}`,
    `/${encodeChar(first!, 1)}/${rest.join('/')}`,
    `/${encodeCharUpper(first!, 0)}/${rest.join('/')}`,
    `/${first}/${encodeChar(rest[0]!, 0)}/${rest.slice(1).join('/')}`,
    path.split('').map((c) => (/[a-z0-9]/.test(c) ? `%${c.charCodeAt(0).toString(16)}` : c)).join(''),
    `/${path}`,
    path.replace(/\//g, '//'),
    `${path}/`,
    `${path}//`,
    path.toUpperCase(),
    `/${first!.toUpperCase()}/${rest.join('/')}`,
    `${path};x=1`,
    `/${first};x=1/${rest.join('/')}`,
    `/x/..${path}`,
    `${path}/..${path}`,
    `/${first}/../${first}/${rest.join('/')}`,
    `/${first}/./${rest.join('/')}`,
    `/%2e%2e${path}`,
    `/x/%2e%2e${path}`,
    `/x/%2E%2E${path}`,
    path.replace(/\//g, '%2f'),
    `/${first}%2F${rest.join('/')}`,
    `/${first}/${rest.join('%2f')}`,
    path.replace(/\//g, '%5c'),
    `${path}%00`,
    `${path}%20`,
    `${path}.`,
    `${path}#frag`,
  ];
}

describe('carriers API key is decided on the route that runs', () => {
  const query = '?lat=52.37&lng=4.89';
  for (const path of ['/v1/coverage/point', '/v1/coverage/hexes', '/v1/signal-classes']) {
    it(`never answers ${path} with a 2xx without a key, in any spelling`, async () => {
      const served: string[] = [];
      for (const variant of variants(path)) {
        const r = await get(`${variant}${path.endsWith('hexes') ? '?bbox=4.8,52.3,4.9,52.4' : query}`);
        if (r.status < 300) served.push(`${variant} → ${r.status} ${r.body.slice(0, 60)}`);
        expect(r.status, variant).toBeLessThan(500);
      }
      expect(served).toEqual([]);
    });
  }

  it('answers a route reached through a decoded spelling with missing_api_key', async () => {
    for (const variant of ['/%761/coverage/point', '/v%31/coverage/point', '/v1/%63overage/point', '/%76%31/%63%6f%76%65%72%61%67%65/%70%6f%69%6e%74']) {
      const r = await get(`${variant}${query}`);
      expect(r.status, variant).toBe(401);
      expect(JSON.parse(r.body).error).toBe('missing_api_key');
    }
  });

  it("counts every spelling against a key's rate limit: a key limited to 3/min gets at most 3 answers out of 10", async () => {
    const limited = await createApiKey(db.sql, 'small carrier', 3);
    const spellings = variants('/v1/coverage/point');
    let answered = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await get(`${spellings[i % 6]}${query}`, { 'x-api-key': limited.key });
      statuses.push(r.status);
      if (r.status === 200) answered++;
    }
    expect(answered, statuses.join(',')).toBeLessThanOrEqual(3);
    expect(statuses).toContain(429);
  });
});

describe('public map API rate limit is decided on the route that runs', () => {
  it('limits /api/v1 per address in every spelling (limit 3/min here)', async () => {
    const statuses: number[] = [];
    for (const variant of ['/%61pi/v1/signal-classes', '/api/%761/signal-classes', '/%61%70%69/v1/signal-classes', '/api/v1/signal-classes', '/api/v%31/signal-classes', '/%61pi/v1/signal-classes']) {
      statuses.push((await get(variant)).status);
    }
    expect(statuses.filter((s) => s === 200).length, statuses.join(',')).toBeLessThanOrEqual(3);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });
});
