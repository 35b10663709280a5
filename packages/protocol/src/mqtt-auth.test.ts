import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateHotspotKeypair, signBytes } from './keys';
import { bridgeClientId, createMqttToken, hotspotMqttCredentials, MQTT_TOKEN_DOMAIN, verifyMqttToken } from './mqtt-auth';

const hotspot = generateHotspotKeypair();
const other = generateHotspotKeypair();
const now = 1_800_000_000;

describe('self-signed MQTT tokens', () => {
  it('accepts the credentials a hotspot makes for itself', () => {
    const creds = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now });
    expect(creds.username).toBe(hotspot.address);
    expect(creds.clientId).toBe(bridgeClientId(hotspot.address));
    const result = verifyMqttToken({ username: creds.username, password: Buffer.from(creds.password), clientId: creds.clientId }, { nowSeconds: now + 10 });
    expect(result).toMatchObject({ ok: true, claims: { v: 2, address: hotspot.address, region: 'EU868', iat: now, exp: now + 120 } });
  });

  it('makes a different token (nonce, token id) for every login, even within the same second', () => {
    const verify = (password: string) => verifyMqttToken({ username: hotspot.address, password, clientId: bridgeClientId(hotspot.address) }, { nowSeconds: now });
    const first = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now });
    const second = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now });
    expect(second.password).not.toBe(first.password);
    const [a, b] = [verify(first.password), verify(second.password)];
    expect(a.ok && b.ok && a.tokenId !== b.tokenId && a.claims.nonce !== b.claims.nonce).toBe(true);
    // The token id is the hash of the signed bytes, not of their (lenient) base64url spelling.
    const claimBytes = Buffer.from(first.password.split('.')[0]!, 'base64url');
    expect(a.ok && a.tokenId).toBe(createHash('sha256').update(claimBytes).digest('base64url'));
  });

  it('rejects a token signed by another key, for another user, or another client id', () => {
    const forged = createMqttToken({ address: hotspot.address, clientId: 'c', region: 'EU868', issuedAt: now, expiresAt: now + 60 }, other.privateKeyObject);
    expect(verifyMqttToken({ username: hotspot.address, password: forged, clientId: 'c' }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'bad_signature' });
    const own = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now });
    expect(verifyMqttToken({ username: other.address, password: own.password, clientId: own.clientId }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'username_mismatch' });
    expect(verifyMqttToken({ username: own.username, password: own.password, clientId: 'someone-else' }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'client_id_mismatch' });
  });

  it('tolerates clock skew up to five minutes and no more', () => {
    const creds = hotspotMqttCredentials(hotspot, 'US915', { nowSeconds: now, lifetimeSeconds: 600 });
    const check = (at: number) => verifyMqttToken({ username: creds.username, password: creds.password, clientId: creds.clientId }, { nowSeconds: at });
    expect(check(now - 299).ok).toBe(true); // hotspot clock 299 s ahead
    expect(check(now - 301)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    expect(check(now + 600 + 299).ok).toBe(true);
    expect(check(now + 600 + 301)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses tokens living longer than ten minutes, v1 tokens, tampered claims and garbage', () => {
    for (const lifetimeSeconds of [601, 86_400, 30 * 86_400]) {
      const long = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now, lifetimeSeconds });
      expect(verifyMqttToken({ username: long.username, password: long.password, clientId: long.clientId }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'lifetime_too_long' });
    }
    const v1Claims = Buffer.from(JSON.stringify({ v: 1, address: hotspot.address, clientId: 'c', region: 'EU868', iat: now, exp: now + 60 }));
    const v1Signature = signBytes(hotspot.privateKeyObject, Buffer.concat([Buffer.from(MQTT_TOKEN_DOMAIN), v1Claims]));
    const v1 = `${v1Claims.toString('base64url')}.${Buffer.from(v1Signature).toString('base64url')}`;
    expect(verifyMqttToken({ username: hotspot.address, password: v1, clientId: 'c' }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'malformed_token' });

    const creds = hotspotMqttCredentials(hotspot, 'EU868', { nowSeconds: now });
    const [claims, signature] = creds.password.split('.') as [string, string];
    const widened = JSON.parse(Buffer.from(claims, 'base64url').toString());
    widened.region = 'US915';
    const tampered = `${Buffer.from(JSON.stringify(widened)).toString('base64url')}.${signature}`;
    expect(verifyMqttToken({ username: creds.username, password: tampered, clientId: creds.clientId }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'bad_signature' });

    for (const garbage of [undefined, '', 'x', 'a.b.c', '!!.??', 'e30.AAAA', 'x'.repeat(5000)]) {
      const result = verifyMqttToken({ username: hotspot.address, password: garbage, clientId: 'c' }, { nowSeconds: now });
      expect(result).toMatchObject({ ok: false, reason: 'malformed_token' });
    }
  });

  it('signs under a domain prefix so other signatures cannot be replayed as tokens', () => {
    expect(MQTT_TOKEN_DOMAIN).toMatch(/^poc-network\/mqtt-auth\/v1/);
    const claims = Buffer.from(JSON.stringify({ v: 2, address: hotspot.address, clientId: 'c', region: 'EU868', iat: now, exp: now + 60, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    const undomained = `${claims.toString('base64url')}.${Buffer.from(signBytes(hotspot.privateKeyObject, claims)).toString('base64url')}`;
    expect(verifyMqttToken({ username: hotspot.address, password: undomained, clientId: 'c' }, { nowSeconds: now })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
