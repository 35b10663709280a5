import { onboardingMessage } from '@poc/protocol';
/**
 * Hotspot possession proof (packages/protocol/SPEC.md §Possession proof): the hotspot key signs
 *   utf8("poc-network:onboard:v1") ‖ program_id ‖ hotspot_key ‖ owner ‖ maker_authority
 * and the transaction carries an Ed25519 precompile instruction with that key, signature and
 * message embedded (instruction indices u16::MAX) immediately before onboard_hotspot.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { Ed25519Program, PublicKey, type TransactionInstruction } from '@solana/web3.js';

/** The possession message (SPEC.md, "Possession proof"), built by @poc/protocol from the four keys. */
export function onboardMessage(programId: PublicKey, hotspotKey: PublicKey, owner: PublicKey, makerAuthority: PublicKey): Uint8Array {
  return onboardingMessage({ programId: programId.toBytes(), hotspotKey: hotspotKey.toBytes(), owner: owner.toBytes(), maker: makerAuthority.toBytes() });
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Signs with an Ed25519 key given as a 32-byte seed or a 64-byte (seed ‖ public key) secret key. */
export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== 32 && secretKey.length !== 64) throw new RangeError('ed25519 secret key must be 32 or 64 bytes');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  return new Uint8Array(cryptoSign(null, message, key));
}

/** Public key of an Ed25519 key given as a 32-byte seed or a 64-byte (seed ‖ public key) secret key. */
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length === 64) return secretKey.slice(32);
  if (secretKey.length !== 32) throw new RangeError('ed25519 secret key must be 32 or 64 bytes');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return cryptoVerify(null, message, key, signature);
}

/** The Ed25519 precompile instruction carrying the hotspot's possession signature. */
export function possessionProofInstruction(hotspotKey: PublicKey, message: Uint8Array, signature: Uint8Array): TransactionInstruction {
  return Ed25519Program.createInstructionWithPublicKey({ publicKey: hotspotKey.toBytes(), message, signature });
}
