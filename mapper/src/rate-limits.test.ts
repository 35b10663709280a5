import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorHandler } from './http-errors';
import { perKeyRateLimit } from './rate-limits';

/** A real fastify app with the carriers' limit; `x-key-id` stands in for the key hook's accepted key. */
function app(fallbackPerMinute: number, maxBuckets: number, now = () => Date.parse('2026-12-02T12:00:20Z')) {
  const server = Fastify();
  server.setErrorHandler(errorHandler);
  server.decorateRequest('apiKey', null);
  server.addHook('onRequest', (req, _reply, done) => {
    const id = req.headers['x-key-id'];
    if (typeof id === 'string') req.apiKey = { id, name: id, rateLimitPerMinute: 3 };
    done();
  });
  server.addHook('onRequest', perKeyRateLimit(fallbackPerMinute, { maxBuckets, now }));
  server.get('/', async () => ({ ok: true }));
  return server;
}

describe('perKeyRateLimit', () => {
  it("limits each key to its own rate, with 429 rate_limited, Retry-After and the limit's headers", async () => {
    const server = app(100, 100);
    const call = (id: string) => server.inject({ url: '/', headers: { 'x-key-id': id } });
    const first = await call('k1');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    expect(first.headers['x-ratelimit-reset']).toBe('40');
    await call('k1');
    await call('k1');
    const over = await call('k1');
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toBe('rate_limited');
    expect(over.headers['retry-after']).toBe('40');
    expect((await call('k2')).statusCode).toBe(200);
  });

  it('starts a new window each minute', async () => {
    let now = Date.parse('2026-12-02T12:00:59Z');
    const server = app(1, 10, () => now);
    expect((await server.inject({ url: '/' })).statusCode).toBe(200);
    expect((await server.inject({ url: '/' })).statusCode).toBe(429);
    now += 1_000;
    expect((await server.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('attack: many client addresses share one overflow counter past maxBuckets, so memory stays bounded', async () => {
    const server = app(2, 3);
    const from = (address: string) => server.inject({ url: '/', remoteAddress: address });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await from(address)).statusCode).toBe(200);
    // Addresses beyond the third are counted together: two requests in all, then 429 for any of them.
    expect((await from('10.0.0.4')).statusCode).toBe(200);
    expect((await from('10.0.0.5')).statusCode).toBe(200);
    expect((await from('10.0.0.6')).statusCode).toBe(429);
    // Tracked addresses keep their own count.
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    expect((await from('10.0.0.1')).statusCode).toBe(429);
  });
});
