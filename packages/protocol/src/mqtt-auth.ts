import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeHotspotAddress, signBytes, verifyBytes } from './keys';
import { REGIONS, type Region } from './regions';

/**
 * MQTT credentials a hotspot makes for itself: username = its address, password = a token signed with its own
 * Ed25519 key. The broker needs no shared secret and no per-hotspot password database: the address *is* the key.
 *
 * Token = base64url(JSON claims) "." base64url(signature), where the claims are
 * `{"v":2,"address","clientId","region","iat","exp","nonce"}` and the signature covers
 * MQTT_TOKEN_DOMAIN ‖ the exact claim bytes. The domain prefix means no report, entropy or onboarding signature
 * can ever be replayed as a login token and vice versa.
 *
 * A token is for one login: it lives minutes (at most MQTT_TOKEN_MAX_LIFETIME_SECONDS), names the client id it
 * may connect as, and carries a random nonce so every login makes a new one; the broker remembers the tokens it
 * accepted until they expire and refuses them a second time (`tokenId`), so a token seen on the wire cannot take
 * the bridge's session over. v1 tokens (no nonce, lifetimes of days) are refused.
 */
export const MQTT_TOKEN_DOMAIN = 'poc-network/mqtt-auth/v1\n';
/** Longest lifetime a broker accepts: a token only has to outlive one CONNECT. */
export const MQTT_TOKEN_MAX_LIFETIME_SECONDS = 600;
/** What a bridge mints for each (re)connect attempt. */
export const MQTT_TOKEN_DEFAULT_LIFETIME_SECONDS = 120;
/** Hotspot clocks drift (no GPS fix, no NTP): tolerated on issuedAt and expiry. */
export const MQTT_TOKEN_CLOCK_SKEW_SECONDS = 300;
const MAX_TOKEN_CHARS = 1024;

const claimsSchema = z
  .object({
    v: z.literal(2),
    address: z.string().min(1).max(128),
    clientId: z.string().min(1).max(256),
    region: z.enum(REGIONS),
    iat: z.number().int().nonnegative(),
    exp: z.number().int().positive(),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'nonce must be 16–64 base64url characters'),
  })
  .strict();

export type MqttTokenClaims = z.infer<typeof claimsSchema>;

export interface MqttCredentials {
  username: string;
  password: string;
  clientId: string;
}

/** The client id the bridge uses (node.ts): one fixed id per hotspot so the broker keeps its session. */
export const bridgeClientId = (address: string) => `poc-bridge-${address}`;

/** Signs a login token; `nonce` defaults to 16 random bytes, so two tokens minted in the same second differ. */
export function createMqttToken(
  claims: { address: string; clientId: string; region: Region; issuedAt: number; expiresAt: number; nonce?: string },
  privateKey: KeyObject,
): string {
  const body: MqttTokenClaims = {
    v: 2,
    address: claims.address,
    clientId: claims.clientId,
    region: claims.region,
    iat: claims.issuedAt,
    exp: claims.expiresAt,
    nonce: claims.nonce ?? randomBytes(16).toString('base64url'),
  };
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const signature = signBytes(privateKey, Buffer.concat([Buffer.from(MQTT_TOKEN_DOMAIN, 'utf8'), bytes]));
  return `${bytes.toString('base64url')}.${Buffer.from(signature).toString('base64url')}`;
}

/** Credentials for one login of a bridge: a fresh token valid from now for `lifetimeSeconds` (default 2 minutes). */
export function hotspotMqttCredentials(
  keypair: { address: string; privateKeyObject: KeyObject },
  region: Region,
  options: { lifetimeSeconds?: number; nowSeconds?: number; clientId?: string } = {},
): MqttCredentials {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const clientId = options.clientId ?? bridgeClientId(keypair.address);
  const password = createMqttToken(
    { address: keypair.address, clientId, region, issuedAt: now, expiresAt: now + (options.lifetimeSeconds ?? MQTT_TOKEN_DEFAULT_LIFETIME_SECONDS) },
    keypair.privateKeyObject,
  );
  return { username: keypair.address, password, clientId };
}

export type MqttTokenRejection =
  | 'malformed_token'
  | 'bad_address'
  | 'username_mismatch'
  | 'client_id_mismatch'
  | 'bad_signature'
  | 'not_yet_valid'
  | 'expired'
  | 'lifetime_too_long';

/** `tokenId` (SHA-256 of the signed claim bytes, base64url) names the token for a replay cache. */
export type MqttTokenResult = { ok: true; claims: MqttTokenClaims; tokenId: string } | { ok: false; reason: MqttTokenRejection; detail: string };

/**
 * Checks a CONNECT's username/password/clientId against a self-signed token. Never throws.
 * The clientId binding stops a stolen token being used to take over (and kick off) another session id; refusing a
 * token used before (same `tokenId`) is the caller's job, since only it knows which tokens it accepted.
 */
export function verifyMqttToken(
  input: { username: string | undefined; password: Buffer | string | undefined; clientId: string },
  options: { nowSeconds?: number; clockSkewSeconds?: number; maxLifetimeSeconds?: number } = {},
): MqttTokenResult {
  const fail = (reason: MqttTokenRejection, detail: string): MqttTokenResult => ({ ok: false, reason, detail });
  const raw = typeof input.password === 'string' ? input.password : input.password?.toString('utf8');
  if (!raw || raw.length > MAX_TOKEN_CHARS) return fail('malformed_token', 'missing or oversized password');
  const parts = raw.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) {
    return fail('malformed_token', 'expected <claims>.<signature> in base64url');
  }
  const bytes = Buffer.from(parts[0]!, 'base64url');
  const signature = Buffer.from(parts[1]!, 'base64url');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail('malformed_token', 'claims are not JSON');
  }
  const parsed = claimsSchema.safeParse(json);
  if (!parsed.success) return fail('malformed_token', parsed.error.issues[0]?.message ?? 'invalid claims');
  const claims = parsed.data;
  if (input.username !== claims.address) return fail('username_mismatch', 'username is not the token address');
  if (input.clientId !== claims.clientId) return fail('client_id_mismatch', 'client id is not the one the token was issued for');
  let publicKey: Uint8Array;
  try {
    publicKey = decodeHotspotAddress(claims.address);
  } catch (error) {
    return fail('bad_address', (error as Error).message);
  }
  if (!verifyBytes(publicKey, Buffer.concat([Buffer.from(MQTT_TOKEN_DOMAIN, 'utf8'), bytes]), signature)) {
    return fail('bad_signature', 'token not signed by the address key');
  }
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds ?? MQTT_TOKEN_CLOCK_SKEW_SECONDS;
  if (claims.iat > now + skew) return fail('not_yet_valid', `issued ${claims.iat - now} s in the future`);
  if (claims.exp + skew < now) return fail('expired', `expired ${now - claims.exp} s ago`);
  if (claims.exp - claims.iat > (options.maxLifetimeSeconds ?? MQTT_TOKEN_MAX_LIFETIME_SECONDS)) {
    return fail('lifetime_too_long', `lifetime ${claims.exp - claims.iat} s`);
  }
  return { ok: true, claims, tokenId: createHash('sha256').update(bytes).digest('base64url') };
}
