import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from 'postgres';

/** Keys look like `poc_<id>_<secret>`: the id (public, 12 hex) finds the row; only SHA-256(secret) is stored. */
const KEY_PATTERN = /^poc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyRecord {
  id: string;
  name: string;
  rateLimitPerMinute: number;
}

export interface CreatedApiKey extends ApiKeyRecord {
  /** The full key; shown once, never stored. */
  key: string;
}

// One-shot hash: about half the cost of createHash().update().digest() on every carrier request.
const sha256 = (text: string) => hash('sha256', text, 'buffer');

export async function createApiKey(sql: Sql, name: string, rateLimitPerMinute = 600): Promise<CreatedApiKey> {
  if (!name.trim()) throw new Error('an API key needs a name (who it is for)');
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute <= 0) throw new Error('rate limit must be a positive integer (requests per minute)');
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await sql`INSERT INTO api_keys (id, secret_sha256, name, rate_limit_per_minute) VALUES (${id}, ${sha256(secret)}, ${name}, ${rateLimitPerMinute})`;
  return { id, name, rateLimitPerMinute, key: `poc_${id}_${secret}` };
}

export async function listApiKeys(sql: Sql) {
  return sql<{ id: string; name: string; rate_limit_per_minute: number; created_at: Date; revoked_at: Date | null; last_used_at: Date | null }[]>`
    SELECT id, name, rate_limit_per_minute, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at`;
}

export async function revokeApiKey(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${id} AND revoked_at IS NULL RETURNING id`;
  return rows.length > 0;
}

export type ApiKeyCheck = { ok: true; key: ApiKeyRecord } | { ok: false; status: 401 | 403; code: string; message: string };

interface CachedRow {
  hash: Buffer;
  /**
   * The secret once a request proved it against `hash`: later requests compare with it in constant time and skip the
   * SHA-256 (the process sees every presented secret anyway; only the table must never hold one).
   */
  verified: Buffer | null;
  record: ApiKeyRecord;
  revoked: boolean;
  fetchedAt: number;
}

export interface ApiKeyVerifier {
  (presented: string | undefined): Promise<ApiKeyCheck>;
  /** The same check answered synchronously from the cache; undefined when the key's row must be (re)read. */
  cached(presented: string | undefined): ApiKeyCheck | undefined;
}

const MISSING: ApiKeyCheck = { ok: false, status: 401, code: 'missing_api_key', message: 'send an API key in the x-api-key header (or Authorization: Bearer <key>)' };
const MALFORMED: ApiKeyCheck = { ok: false, status: 401, code: 'invalid_api_key', message: 'API key is malformed: expected poc_<12 hex id>_<43-char secret>' };
const UNKNOWN: ApiKeyCheck = { ok: false, status: 401, code: 'invalid_api_key', message: 'API key not recognised' };

/** How many unknown key ids are remembered (oldest forgotten first); kept apart so they can never push out real keys. */
const MAX_REMEMBERED_UNKNOWN_IDS = 10_000;

/**
 * Verifies presented keys against the table. Rows are cached for `ttlMs` (revocation takes effect within it)
 * so the hot path does not query PostgreSQL per request; the secret is compared in constant time. Ids with no row
 * are remembered in a separate bounded cache, so unknown ids cost one query each per `ttlMs` and cannot evict rows.
 */
export function apiKeyVerifier(sql: Sql, options: { ttlMs?: number; maxUnknownIds?: number } = {}): ApiKeyVerifier {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxUnknown = options.maxUnknownIds ?? MAX_REMEMBERED_UNKNOWN_IDS;
  /** Rows that exist (valid or revoked): bounded by the api_keys table itself. */
  const rows = new Map<string, CachedRow>();
  /** Ids without a row, in insertion order, so the oldest goes first when full. */
  const unknownIds = new Map<string, number>();
  const lastTouched = new Map<string, number>();

  const freshRow = (id: string, now: number): CachedRow | undefined => {
    const hit = rows.get(id);
    return hit && now - hit.fetchedAt < ttlMs ? hit : undefined;
  };
  const knownUnknown = (id: string, now: number): boolean => {
    const at = unknownIds.get(id);
    return at !== undefined && now - at < ttlMs;
  };

  async function load(id: string): Promise<CachedRow | null> {
    const [r] = await sql<{ secret_sha256: Buffer; name: string; rate_limit_per_minute: number; revoked_at: Date | null }[]>`
      SELECT secret_sha256, name, rate_limit_per_minute, revoked_at FROM api_keys WHERE id = ${id}`;
    const now = Date.now();
    if (!r) {
      unknownIds.delete(id);
      if (unknownIds.size >= maxUnknown) unknownIds.delete(unknownIds.keys().next().value!);
      unknownIds.set(id, now);
      rows.delete(id);
      return null;
    }
    const row: CachedRow = { hash: Buffer.from(r.secret_sha256), verified: null, record: { id, name: r.name, rateLimitPerMinute: r.rate_limit_per_minute }, revoked: r.revoked_at !== null, fetchedAt: now };
    rows.set(id, row);
    unknownIds.delete(id);
    return row;
  }

  function parse(presented: string | undefined): ApiKeyCheck | { id: string; secret: string } {
    if (!presented) return MISSING;
    const m = KEY_PATTERN.exec(presented.trim());
    if (!m) return MALFORMED;
    return { id: m[1]!, secret: m[2]! };
  }

  /** Constant-time check of the secret: against the one already proven for this row, else against its hash. */
  function matches(secret: string, row: CachedRow): boolean {
    const presented = Buffer.from(secret, 'latin1');
    if (row.verified && timingSafeEqual(presented, row.verified)) return true;
    if (!timingSafeEqual(sha256(secret), row.hash)) return false;
    row.verified = presented;
    return true;
  }

  function check(id: string, secret: string, row: CachedRow | null): ApiKeyCheck {
    if (!row || !matches(secret, row)) return UNKNOWN;
    if (row.revoked) return { ok: false, status: 403, code: 'revoked_api_key', message: `API key ${id} has been revoked` };
    const now = Date.now();
    if (now - (lastTouched.get(id) ?? 0) > 60_000) {
      lastTouched.set(id, now);
      sql`UPDATE api_keys SET last_used_at = now() WHERE id = ${id}`.catch(() => {});
    }
    return { ok: true, key: row.record };
  }

  const cached = (presented: string | undefined): ApiKeyCheck | undefined => {
    const parsed = parse(presented);
    if ('ok' in parsed) return parsed;
    const now = Date.now();
    const row = freshRow(parsed.id, now);
    if (row) return check(parsed.id, parsed.secret, row);
    return knownUnknown(parsed.id, now) ? UNKNOWN : undefined;
  };
  const verify = async (presented: string | undefined): Promise<ApiKeyCheck> => {
    const parsed = parse(presented);
    if ('ok' in parsed) return parsed;
    const now = Date.now();
    if (knownUnknown(parsed.id, now)) return UNKNOWN;
    return check(parsed.id, parsed.secret, freshRow(parsed.id, now) ?? (await load(parsed.id)));
  };
  return Object.assign(verify, { cached });
}

export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7);
  return undefined;
}
