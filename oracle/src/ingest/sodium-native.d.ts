// The libsodium bindings the oracle's tests and benchmarks use (sodium-native ships no type declarations): the
// single-signature verifier the batch verifier is held to, and the point arithmetic that crafts test signatures.
declare module 'sodium-native' {
  /** True when `signature` is a valid Ed25519 signature of `message` by `publicKey` (libsodium's strict checks). */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** `point` = [scalar]B, the scalar taken as it is (not clamped). */
  export function crypto_scalarmult_ed25519_base_noclamp(point: Uint8Array, scalar: Uint8Array): void;
  /** `sum` = p + q for any two points on the curve. */
  export function crypto_core_ed25519_add(sum: Uint8Array, p: Uint8Array, q: Uint8Array): void;
}
