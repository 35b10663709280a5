import { crypto_sign_verify_detached } from 'sodium-native';

const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/**
 * Ed25519 verification of a report signature on the raw 32-byte key, with libsodium (sodium-native's prebuilt
 * addon): about 1.7× node:crypto's `verify` per signature, with no KeyObject to build or cache (oracle/README.md
 * §Ingest CPU per report). libsodium is stricter than OpenSSL and never more lenient: it also refuses small-order and
 * non-canonical public keys and a small-order R, for which OpenSSL accepts a signature anyone can forge
 * (ed25519.test.ts checks both directions against node:crypto).
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  return crypto_sign_verify_detached(signature, message, publicKey);
}
