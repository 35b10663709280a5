// The one libsodium binding the oracle uses (sodium-native ships no type declarations).
declare module 'sodium-native' {
  /** True when `signature` is a valid Ed25519 signature of `message` by `publicKey` (libsodium's strict checks). */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
