/**
 * Just enough of Solana's transaction wire format to find one signer's signature in a signed transaction, so the
 * browser bundle needs no @solana/web3.js.
 *
 *   transaction = compact-u16 n, n × 64-byte signatures, message
 *   message     = [0x80 | version]  (absent for a legacy message)
 *                 header: num_required_signatures, num_readonly_signed, num_readonly_unsigned (1 byte each)
 *                 compact-u16 m, m × 32-byte static account keys, 32-byte recent blockhash,
 *                 compact-u16 k, k × (program index, compact-u16-prefixed account indexes, compact-u16-prefixed data),
 *                 v0 only: compact-u16-prefixed address table lookups (key, writable indexes, readonly indexes)
 *
 * Signature i belongs to static account key i, for i < num_required_signatures (legacy and v0 alike).
 */

export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

export interface ParsedTransaction {
  signatures: Uint8Array[];
  /** The exact message bytes that the signatures sign. */
  message: Uint8Array;
  version: 'legacy' | number;
  numRequiredSignatures: number;
  /** The message's static account keys (signers first). */
  accountKeys: Uint8Array[];
}

/** Reads a compact-u16 (1–3 bytes, 7 bits each, little-endian) at `offset`; returns the value and the bytes used. */
export function readCompactU16(bytes: Uint8Array, offset: number): { value: number; size: number } {
  let value = 0;
  for (let size = 1; size <= 3; size++) {
    const byte = bytes[offset + size - 1];
    if (byte === undefined) throw new WireFormatError(`truncated compact-u16 at byte ${offset}`);
    value |= (byte & 0x7f) << (7 * (size - 1));
    if ((byte & 0x80) === 0) {
      if (size > 1 && byte === 0) throw new WireFormatError(`non-canonical compact-u16 at byte ${offset}`);
      if (value > 0xffff) throw new WireFormatError(`compact-u16 at byte ${offset} exceeds 65535`);
      return { value, size };
    }
  }
  throw new WireFormatError(`compact-u16 at byte ${offset} is longer than 3 bytes`);
}

function take(bytes: Uint8Array, offset: number, length: number, what: string): Uint8Array {
  if (offset + length > bytes.length) throw new WireFormatError(`transaction truncated in ${what} (needs ${offset + length} bytes, has ${bytes.length})`);
  return bytes.subarray(offset, offset + length);
}

export function parseTransaction(bytes: Uint8Array): ParsedTransaction {
  const count = readCompactU16(bytes, 0);
  let offset = count.size;
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < count.value; i++, offset += 64) signatures.push(take(bytes, offset, 64, `signature ${i}`));
  const message = bytes.subarray(offset);

  let m = 0;
  let version: 'legacy' | number = 'legacy';
  const first = take(message, 0, 1, 'message header')[0]!;
  if (first & 0x80) {
    version = first & 0x7f;
    if (version !== 0) throw new WireFormatError(`unsupported transaction message version ${version}`);
    m = 1;
  }
  const [numRequiredSignatures, numReadonlySigned, numReadonlyUnsigned] = take(message, m, 3, 'message header');
  m += 3;
  const keyCount = readCompactU16(message, m);
  m += keyCount.size;
  const accountKeys: Uint8Array[] = [];
  for (let i = 0; i < keyCount.value; i++, m += 32) accountKeys.push(take(message, m, 32, `account key ${i}`));
  take(message, m, 32, 'recent blockhash');
  m += 32;
  const instructionCount = readCompactU16(message, m);
  m += instructionCount.size;
  for (let i = 0; i < instructionCount.value; i++) {
    take(message, m, 1, `instruction ${i} program index`);
    m += 1;
    for (const part of ['account indexes', 'data']) {
      const length = readCompactU16(message, m);
      m += length.size;
      take(message, m, length.value, `instruction ${i} ${part}`);
      m += length.value;
    }
  }
  if (version !== 'legacy') {
    const lookupCount = readCompactU16(message, m);
    m += lookupCount.size;
    for (let i = 0; i < lookupCount.value; i++) {
      take(message, m, 32, `address lookup table ${i}`);
      m += 32;
      for (const part of ['writable indexes', 'readonly indexes']) {
        const length = readCompactU16(message, m);
        m += length.size;
        take(message, m, length.value, `address lookup table ${i} ${part}`);
        m += length.value;
      }
    }
  }
  if (m !== message.length) throw new WireFormatError(`${message.length - m} unexpected bytes after the message`);

  if (numRequiredSignatures! !== signatures.length) {
    throw new WireFormatError(`the message requires ${numRequiredSignatures} signatures but the transaction carries ${signatures.length}`);
  }
  if (numRequiredSignatures! > accountKeys.length || numReadonlySigned! > numRequiredSignatures! || numReadonlyUnsigned! > accountKeys.length - numRequiredSignatures!) {
    throw new WireFormatError('the message header does not fit its account keys');
  }
  return { signatures, message, version, numRequiredSignatures: numRequiredSignatures!, accountKeys };
}

export const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The signature slot of `signer` (its index among the required signers), or -1 if it is not a required signer. */
export function signerIndex(tx: ParsedTransaction, signer: Uint8Array): number {
  for (let i = 0; i < tx.numRequiredSignatures; i++) if (equalBytes(tx.accountKeys[i]!, signer)) return i;
  return -1;
}

/** `signer`'s 64-byte signature from a transaction (serialized or parsed); throws if it is not a signer or its slot is empty. */
export function signatureOf(transaction: Uint8Array | ParsedTransaction, signer: Uint8Array): Uint8Array {
  const tx = transaction instanceof Uint8Array ? parseTransaction(transaction) : transaction;
  const index = signerIndex(tx, signer);
  if (index < 0) throw new WireFormatError('the key is not one of the transaction’s signers');
  const signature = tx.signatures[index]!;
  if (signature.every((b) => b === 0)) throw new WireFormatError('the signer’s signature slot is empty (the transaction was not signed by it)');
  return signature;
}
