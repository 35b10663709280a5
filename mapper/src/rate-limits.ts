import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { HttpError } from './http-errors';

const MINUTE = 60_000;

/**
 * The carriers' limit, per API key (per address when keys are not required). Counted at preParsing: after the key
 * hook, before a body is parsed or validated, so invalid requests count too and a limited key costs no parsing.
 */
export function perKeyRateLimit(fallbackPerMinute: number): RateLimitPluginOptions {
  return {
    global: true,
    hook: 'preParsing',
    timeWindow: MINUTE,
    max: (req) => req.apiKey?.rateLimitPerMinute ?? fallbackPerMinute,
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (req, limit) =>
      new HttpError(429, 'rate_limited', `rate limit of ${limit.max} requests per minute exceeded for ${req.apiKey ? `API key ${req.apiKey.id}` : 'this address'}; retry in ${limit.after}`),
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
