import { createCipheriv } from 'node:crypto';

const BLOCK = 16;
/** R_b for a 128-bit block (RFC 4493 §2.3). */
const RB = 0x87;

function aesEcbBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** Left shift of a 128-bit block by one bit, xor R_b when the top bit fell off (RFC 4493 §2.3 "Generate_Subkey"). */
function doubleBlock(block: Uint8Array): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((block[i]! << 1) | (i + 1 < BLOCK ? block[i + 1]! >>> 7 : 0)) & 0xff;
  if (block[0]! & 0x80) out[BLOCK - 1]! ^= RB;
  return out;
}

/** AES-128-CMAC (RFC 4493): the 16-byte tag of `message` under a 16-byte key. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== BLOCK) throw new Error(`AES-CMAC key must be ${BLOCK} bytes, got ${key.length}`);
  const k1 = doubleBlock(aesEcbBlock(key, new Uint8Array(BLOCK)));
  const k2 = doubleBlock(k1);
  const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  const tail = message.subarray((blocks - 1) * BLOCK);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const subkey = complete ? k1 : k2;
  for (let i = 0; i < BLOCK; i++) last[i]! ^= subkey[i]!;
  // CBC-MAC with a zero IV over the first blocks, then the masked last block.
  const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  const macInput = Buffer.concat([message.subarray(0, (blocks - 1) * BLOCK), last]);
  const out = cipher.update(macInput);
  return new Uint8Array(out.subarray(out.length - BLOCK));
}
