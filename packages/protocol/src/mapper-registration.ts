import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import bs58 from 'bs58';
import { z } from 'zod';
import { signBytes, verifyBytes } from './keys';
import { MAPPER_DEVICE_KEY_BYTES } from './mapper-frame';
import { decodeSolanaKey } from './onboarding';

/**
 * Registering a mapper device (SPEC.md §Mapper registration). The owner's wallet signs the registration; the device
 * key travels only sealed to the oracle's X25519 key-seal key, and the oracle stores it sealed, so the registration
 * file, the database, its replicas and the mapper API never hold it in clear.
 */
export const MAPPER_REGISTRATION_DOMAIN = 'poc-network:mapper-register:v1';
const SEAL_INFO = 'poc-network:mapper-key-seal:v1';
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** Ephemeral X25519 public key 32 ‖ nonce 12 ‖ AES-256-GCM ciphertext 16 ‖ tag 16. */
export const SEALED_DEVICE_KEY_BYTES = 76;

export interface KeySealKeypair {
  /** Raw 32-byte X25519 public key (published by the oracle operator). */
  publicKey: Uint8Array;
  privateKeyObject: KeyObject;
}

export function keySealKeypairFromSecret(secret: Uint8Array): KeySealKeypair {
  if (secret.length !== 32) throw new Error('the key-seal secret must be 32 bytes');
  const privateKeyObject = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(Buffer.from(privateKeyObject.export({ format: 'jwk' }).x!, 'base64url'));
  return { publicKey, privateKeyObject };
}

const x25519Public = (raw: Uint8Array) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });

function sealKey(shared: Buffer, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, deviceId: number): Buffer {
  const info = Buffer.alloc(SEAL_INFO.length + 4);
  info.write(SEAL_INFO, 0, 'utf8');
  info.writeUInt32LE(deviceId >>> 0, SEAL_INFO.length);
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, recipientPublic]), info, 32));
}

/** Seals a device key to the oracle's key-seal public key for one device id (ECIES: X25519, HKDF-SHA256, AES-256-GCM). */
export function sealDeviceKey(deviceKey: Uint8Array, deviceId: number, oraclePublicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  if (deviceKey.length !== MAPPER_DEVICE_KEY_BYTES) throw new Error(`a device key is ${MAPPER_DEVICE_KEY_BYTES} bytes`);
  const ephemeral = keySealKeypairFromSecret(randomBytes(32));
  const shared = diffieHellman({ privateKey: ephemeral.privateKeyObject, publicKey: x25519Public(oraclePublicKey) });
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(shared, ephemeral.publicKey, oraclePublicKey, deviceId), nonce);
  const body = Buffer.concat([cipher.update(deviceKey), cipher.final()]);
  return new Uint8Array(Buffer.concat([ephemeral.publicKey, nonce, body, cipher.getAuthTag()]));
}

/** The device key, or null when the seal was not made for this oracle key and device id or was altered. */
export function unsealDeviceKey(sealed: Uint8Array, deviceId: number, oracle: KeySealKeypair): Uint8Array | null {
  if (sealed.length !== SEALED_DEVICE_KEY_BYTES) return null;
  try {
    const ephemeralPublic = sealed.subarray(0, 32);
    const shared = diffieHellman({ privateKey: oracle.privateKeyObject, publicKey: x25519Public(ephemeralPublic) });
    const decipher = createDecipheriv('aes-256-gcm', sealKey(shared, ephemeralPublic, oracle.publicKey, deviceId), sealed.subarray(32, 44));
    decipher.setAuthTag(sealed.subarray(60));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(44, 60)), decipher.final()]));
  } catch {
    return null;
  }
}

export interface MapperRegistrationFields {
  deviceId: number;
  /** Owner wallet, base58. */
  owner: string;
  sealedKey: Uint8Array;
  /** Unix seconds; the oracle refuses registrations older than a day or from the future. */
  issuedAt: number;
}

/** utf8(domain) ‖ u32le(device id) ‖ owner (32) ‖ SHA-256(sealed key) ‖ i64le(issued at). */
export function mapperRegistrationMessage(r: MapperRegistrationFields): Uint8Array {
  const tail = Buffer.alloc(4 + 32 + 32 + 8);
  tail.writeUInt32LE(r.deviceId >>> 0, 0);
  tail.set(decodeSolanaKey('owner', r.owner), 4);
  tail.set(createHash('sha256').update(r.sealedKey).digest(), 36);
  tail.writeBigInt64LE(BigInt(r.issuedAt), 68);
  return new Uint8Array(Buffer.concat([Buffer.from(MAPPER_REGISTRATION_DOMAIN, 'utf8'), tail]));
}

const solanaKey = z.string().max(64).refine((s) => {
  try {
    decodeSolanaKey('owner', s);
    return true;
  } catch {
    return false;
  }
}, 'must be a base58 32-byte wallet key');
const b64 = (n: number) => z.base64().transform((s) => new Uint8Array(Buffer.from(s, 'base64'))).refine((b) => b.length === n, `must decode to ${n} bytes`);

export const mapperRegistrationSchema = z
  .object({
    device_id: z.number().int().min(0).max(0xffff_ffff),
    owner: solanaKey,
    sealed_key: b64(SEALED_DEVICE_KEY_BYTES),
    issued_at: z.number().int().min(0).max(2 ** 40),
    signature: b64(64),
  })
  .strict();

export type MapperRegistration = z.output<typeof mapperRegistrationSchema>;

const fieldsOf = (r: MapperRegistration): MapperRegistrationFields => ({ deviceId: r.device_id, owner: r.owner, sealedKey: r.sealed_key, issuedAt: r.issued_at });

/** Owner side: the registration JSON for a device, signed with the owner's wallet key. */
export function signMapperRegistration(fields: MapperRegistrationFields, ownerKey: KeyObject) {
  const signature = signBytes(ownerKey, mapperRegistrationMessage(fields));
  return {
    device_id: fields.deviceId,
    owner: fields.owner,
    sealed_key: Buffer.from(fields.sealedKey).toString('base64'),
    issued_at: fields.issuedAt,
    signature: Buffer.from(signature).toString('base64'),
  };
}

export function verifyMapperRegistration(r: MapperRegistration): boolean {
  return verifyBytes(decodeSolanaKey('owner', r.owner), mapperRegistrationMessage(fieldsOf(r)), r.signature);
}

export const encodeWalletAddress = (publicKey: Uint8Array) => bs58.encode(publicKey);

/** The wallet address of an Ed25519 key (public, or private: its public half). */
export const walletAddressOfKey = (key: KeyObject) => encodeWalletAddress(new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url')));
