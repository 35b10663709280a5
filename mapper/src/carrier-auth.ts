import type { FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { presentedKey, type ApiKeyCheck, type ApiKeyRecord, type ApiKeyVerifier } from './api-keys';
import { HttpError } from './http-errors';
import type { InvalidKeyLimiter } from './invalid-key-limiter';

declare module 'fastify' {
  interface FastifyRequest {
    /** The carrier's key, once the carriers' API hook accepted it. */
    apiKey: ApiKeyRecord | null;
  }
}

export interface CarrierAuthOptions {
  verify: ApiKeyVerifier;
  /** Off only for local demos; carriers' endpoints need a key by default. */
  requireApiKey: boolean;
  invalidKeys: InvalidKeyLimiter;
}

/**
 * onRequest hook of the carriers' API plugin: it runs for every route the router matched inside that plugin, whatever
 * the spelling of the URL. Callback-style, with no closure made per request, so a key already in the verifier's cache
 * costs no promise or allocation on the hot path. A client address that sent too many refused keys gets 429 before any
 * further lookup, unless its key is cached valid.
 */
export function carrierAuthHook(options: CarrierAuthOptions): onRequestHookHandler {
  return (req, reply, done) => {
    const key = presentedKey(req.headers);
    if (!options.requireApiKey && !key) return done();
    const cached = options.verify.cached(key);
    if (cached && (cached.ok || cached.code === 'missing_api_key')) return settle(options, req, cached, done);
    const wait = options.invalidKeys.blockedFor(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return done(new HttpError(429, 'too_many_invalid_api_keys', `too many invalid API keys from this address; retry in ${wait} s`));
    }
    if (cached) return settle(options, req, cached, done);
    options.verify(key).then((check) => settle(options, req, check, done), done);
  };
}

function settle(options: CarrierAuthOptions, req: FastifyRequest, check: ApiKeyCheck, done: HookHandlerDoneFunction): void {
  if (!check.ok) {
    if (check.code === 'invalid_api_key') options.invalidKeys.recordFailure(req.ip);
    return done(new HttpError(check.status, check.code, check.message));
  }
  req.apiKey = check.key;
  done();
}
