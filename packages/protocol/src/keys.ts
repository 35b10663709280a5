import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import bs58check from 'bs58check';

/** Helium key tag byte: network (0x00 mainnet) | key type (0x01 ed25519). */
const ED25519_MAINNET_TAG = 0x01;
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

export interface HotspotKeypair {
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Raw 32-byte Ed25519 seed. */
  secretKey: Uint8Array;
  /** Helium-style base58check address, e.g. "11…". */
  address: string;
  privateKeyObject: KeyObject;
}

const toB64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export function generateHotspotKeypair(): HotspotKeypair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return keypairFromSecret(Buffer.from(jwk.d!, 'base64url'));
}

export function keypairFromSecret(secretKey: Uint8Array): HotspotKeypair {
  if (secretKey.length !== ED25519_KEY_BYTES) throw new Error(`Ed25519 secret key must be ${ED25519_KEY_BYTES} bytes, got ${secretKey.length}`);
  // Deriving x from d needs the curve; node does it when importing a PKCS#8 seed.
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secretKey]);
  const privateKeyObject = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const jwk = privateKeyObject.export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  return { publicKey, secretKey: new Uint8Array(secretKey), address: encodeHotspotAddress(publicKey), privateKeyObject };
}

/** Helium binary key: tag byte followed by the raw key. This is what `pub_key` holds on the wire. */
export function heliumKeyBytes(publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(ED25519_KEY_BYTES + 1);
  out[0] = ED25519_MAINNET_TAG;
  out.set(publicKey, 1);
  return out;
}

export function encodeHotspotAddress(publicKey: Uint8Array): string {
  if (publicKey.length !== ED25519_KEY_BYTES) throw new Error('hotspot public key must be 32 bytes');
  return bs58check.encode(Uint8Array.from([0x00, ...heliumKeyBytes(publicKey)]));
}

const decodedAddressCache = new Map<string, Uint8Array>();
const DECODED_ADDRESS_CACHE_LIMIT = 100_000;

/**
 * Decodes a b58check hotspot address to the raw 32-byte Ed25519 key; throws with a reason on anything else.
 * Every signed report names its hotspot, so valid decodings are cached (base58 + checksum cost more than signing).
 */
export function decodeHotspotAddress(address: string): Uint8Array {
  const cached = decodedAddressCache.get(address);
  if (cached) return cached.slice();
  const key = decodeHotspotAddressUncached(address);
  if (decodedAddressCache.size >= DECODED_ADDRESS_CACHE_LIMIT) decodedAddressCache.clear();
  decodedAddressCache.set(address, key);
  return key.slice();
}

function decodeHotspotAddressUncached(address: string): Uint8Array {
  let payload: Uint8Array;
  try {
    payload = bs58check.decode(address);
  } catch {
    throw new Error('hotspot address is not valid base58check');
  }
  if (payload.length !== ED25519_KEY_BYTES + 2 || payload[0] !== 0x00) throw new Error('hotspot address has the wrong length or version');
  if (payload[1] !== ED25519_MAINNET_TAG) throw new Error('hotspot address is not an Ed25519 mainnet key');
  return payload.slice(2);
}

export function signBytes(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey));
}

const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 100_000;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = toB64Url(publicKey);
  let key = publicKeyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
    publicKeyCache.set(id, key);
  }
  return key;
}

export function verifyBytes(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
