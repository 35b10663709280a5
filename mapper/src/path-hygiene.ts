import type { onRequestHookHandler } from 'fastify';
import { HttpError } from './http-errors';

/** `.` or `..` as a whole path segment, raw or percent-encoded. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
/** A slash or backslash hidden inside a segment. */
const ENCODED_SEPARATOR = /%2f|%5c|\\/i;

/**
 * Refuses URLs whose path a proxy, the router and the static file server could each read differently: NUL anywhere
 * (PostgreSQL text cannot hold it either), dot segments and encoded separators in the path. Browsers never send those.
 * This only ever refuses; what a request may do is decided by the hooks of the route that runs.
 */
export const refuseAmbiguousPaths: onRequestHookHandler = (req, _reply, done) => {
  const url = req.url;
  if (url.includes('%00') || url.includes('\u0000')) return done(new HttpError(400, 'invalid_characters', 'NUL characters are not allowed in the URL'));
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (DOT_SEGMENT.test(path) || ENCODED_SEPARATOR.test(path)) {
    return done(new HttpError(400, 'invalid_path', 'the path must not contain dot segments or encoded slashes; send the canonical path'));
  }
  done();
};
