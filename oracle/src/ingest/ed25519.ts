import { createRequire } from 'node:module';

const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** The Node-API module built from oracle/native/ed25519-batch (its src/lib.rs says what it accepts and why). */
interface Ed25519BatchModule {
  /** n keys × 32 B, n signatures × 64 B, the messages end to end with their end offsets → n verdicts (1 valid, 0 not). */
  verifyEd25519Batch(publicKeys: Uint8Array, signatures: Uint8Array, messages: Uint8Array, messageEnds: Uint32Array): Uint8Array;
}

// scripts/build-services.mjs (npm install's prepare, `npm run build`) builds the crate and copies the library beside
// this module: to src/ingest/ for the sources and to dist/ for the bundle, where this code ends up in main.mjs and
// ingest-worker.mjs. Loaded on first use, not on import: other bundles (the mapper's) take code from @poc/oracle
// without verifying reports and ship no copy.
const MODULE_FILE = './ed25519-batch.node';
let native: Ed25519BatchModule | undefined;

/**
 * Loads the native module once, in the calling thread (Node-API modules load in worker threads too). The worker
 * pool calls it when it starts, on the main thread and in each worker, so an oracle without the build stops there.
 */
export function loadEd25519Batch(): Ed25519BatchModule {
  if (native) return native;
  try {
    return (native = createRequire(import.meta.url)(MODULE_FILE) as Ed25519BatchModule);
  } catch (error) {
    throw new Error(`${MODULE_FILE} (batch Ed25519, oracle/native/ed25519-batch) is not built beside ${import.meta.url}: run \`npm run build\``, { cause: error });
  }
}

export interface SignedMessage {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Ed25519 verification of many report signatures in one native call: batch verification, about 3× libsodium's
 * single verification per CPU-second (oracle/README.md §Ingest CPU per report). Returns one verdict per signature,
 * in order. Accepts what libsodium's `crypto_sign_verify_detached` (the verifier before) accepts, plus signatures
 * whose R or key carries a small-order component, which only the key's holder can make (the cofactored equation;
 * ed25519.test.ts checks both directions against libsodium). A wrong-length key or signature is invalid.
 */
export function verifyEd25519Batch(items: readonly SignedMessage[]): boolean[] {
  const verdicts = new Array<boolean>(items.length).fill(false);
  const wellFormed = items.flatMap((item, i) => (item.publicKey.length === PUBLIC_KEY_BYTES && item.signature.length === SIGNATURE_BYTES ? [i] : []));
  if (wellFormed.length === 0) return verdicts;
  const publicKeys = Buffer.allocUnsafe(wellFormed.length * PUBLIC_KEY_BYTES);
  const signatures = Buffer.allocUnsafe(wellFormed.length * SIGNATURE_BYTES);
  const messages = Buffer.allocUnsafe(wellFormed.reduce((sum, i) => sum + items[i]!.message.length, 0));
  const messageEnds = new Uint32Array(wellFormed.length);
  let end = 0;
  wellFormed.forEach((i, slot) => {
    const { publicKey, message, signature } = items[i]!;
    publicKeys.set(publicKey, slot * PUBLIC_KEY_BYTES);
    signatures.set(signature, slot * SIGNATURE_BYTES);
    messages.set(message, end);
    end += message.length;
    messageEnds[slot] = end;
  });
  const valid = loadEd25519Batch().verifyEd25519Batch(publicKeys, signatures, messages, messageEnds);
  wellFormed.forEach((i, slot) => (verdicts[i] = valid[slot] === 1));
  return verdicts;
}
