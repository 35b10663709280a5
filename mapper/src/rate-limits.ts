import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { onRequestHookHandler } from 'fastify';
import { HttpError } from './http-errors';

const MINUTE = 60_000;
const OVERFLOW = '\u0000overflow';

/**
 * The carriers' limit, per API key (per address when keys are not required), in fixed one-minute windows: an onRequest
 * hook placed after the key hook, so it counts before a body is parsed or validated (invalid requests count too, a
 * limited key costs no parsing) and answers 429 rate_limited with Retry-After. In process and synchronous: the
 * `@fastify/rate-limit` store it replaces cost a promise and an LRU update on every point query. Memory is bounded:
 * at most `maxBuckets` keys or addresses per window, any further one shares one overflow counter (only stricter).
 */
export function perKeyRateLimit(fallbackPerMinute: number, options: { maxBuckets?: number; now?: () => number } = {}): onRequestHookHandler {
  const maxBuckets = options.maxBuckets ?? 100_000;
  const clock = options.now ?? Date.now;
  let windowEnd = 0;
  let byKey = new Map<string, number>();
  let byAddress = new Map<string, number>();
  return (req, reply, done) => {
    const now = clock();
    if (now >= windowEnd) {
      windowEnd = now - (now % MINUTE) + MINUTE;
      byKey = new Map();
      byAddress = new Map();
    }
    const key = req.apiKey;
    const counts = key ? byKey : byAddress;
    const bucket = key ? key.id : req.ip;
    const slot = counts.has(bucket) || counts.size < maxBuckets ? bucket : OVERFLOW;
    const used = (counts.get(slot) ?? 0) + 1;
    counts.set(slot, used);
    const max = key ? key.rateLimitPerMinute : fallbackPerMinute;
    const resetSeconds = Math.ceil((windowEnd - now) / 1000);
    reply.header('x-ratelimit-limit', max);
    reply.header('x-ratelimit-remaining', used < max ? max - used : 0);
    reply.header('x-ratelimit-reset', resetSeconds);
    if (used <= max) return done();
    reply.header('retry-after', resetSeconds);
    done(new HttpError(429, 'rate_limited', `rate limit of ${max} requests per minute exceeded for ${key ? `API key ${key.id}` : 'this address'}; retry in ${resetSeconds} s`));
  };
}

/** The public map API's limit, per client address. */
export function perAddressRateLimit(perMinute: number): RateLimitPluginOptions {
  return {
    global: true,
    hook: 'onRequest',
    timeWindow: MINUTE,
    max: perMinute,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, limit) => new HttpError(429, 'rate_limited', `rate limit of ${limit.max} requests per minute exceeded for this address; retry in ${limit.after}`),
  };
}
