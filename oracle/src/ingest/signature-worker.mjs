// Ed25519 verification worker (plain JS so it runs under tsx, vitest and node alike).
// Input: one ArrayBuffer of records [32-byte key][64-byte signature][u32le length][message]; output: Uint8Array of 0/1.
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();

function keyFor(raw) {
  const id = raw.toString('latin1');
  let key = keys.get(id);
  if (!key) {
    if (keys.size > 200_000) keys.clear();
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    keys.set(id, key);
  }
  return key;
}

parentPort.on('message', ({ id, buffer, count }) => {
  const bytes = Buffer.from(buffer);
  const results = new Uint8Array(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const raw = bytes.subarray(offset, offset + 32);
    const signature = bytes.subarray(offset + 32, offset + 96);
    const length = bytes.readUInt32LE(offset + 96);
    const message = bytes.subarray(offset + 100, offset + 100 + length);
    offset += 100 + length;
    try {
      results[i] = verify(null, message, keyFor(raw), signature) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
