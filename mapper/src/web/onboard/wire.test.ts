import {
  AddressLookupTableAccount,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import fc from 'fast-check';
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTransaction, readCompactU16, signatureOf, signerIndex, WireFormatError } from './wire';

const BLOCKHASH = new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => i + 1)).toBase58();

function ed25519Verifies(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]);
  return verify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature);
}

/** Shaped like the onboarding transaction: the owner pays (slot 0), the maker co-signs, a third program instruction. */
function onboardingLike(owner: Keypair, maker: Keypair) {
  const tx = new Transaction({ feePayer: owner.publicKey, blockhash: BLOCKHASH, lastValidBlockHeight: 100 });
  tx.add(
    SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000 }),
    new TransactionInstruction({
      programId: Keypair.generate().publicKey,
      keys: [
        { pubkey: owner.publicKey, isSigner: true, isWritable: true },
        { pubkey: maker.publicKey, isSigner: true, isWritable: false },
        { pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: true },
      ],
      data: Buffer.from('onboard'),
    }),
  );
  return tx;
}

describe('readCompactU16', () => {
  it.each([
    [[0x00], 0, 1],
    [[0x7f], 127, 1],
    [[0x80, 0x01], 128, 2],
    [[0xff, 0x7f], 16_383, 2],
    [[0x80, 0x80, 0x01], 16_384, 3],
    [[0xff, 0xff, 0x03], 65_535, 3],
  ])('%j → %d', (bytes, value, size) => {
    expect(readCompactU16(Uint8Array.from(bytes), 0)).toEqual({ value, size });
  });
  it.each([
    [[], /truncated/],
    [[0x80], /truncated/],
    [[0x80, 0x00], /non-canonical/],
    [[0xff, 0xff, 0x04], /exceeds 65535/],
    [[0x80, 0x80, 0x80], /longer than 3 bytes/],
  ])('refuses %j', (bytes, error) => {
    expect(() => readCompactU16(Uint8Array.from(bytes), 0)).toThrow(error);
  });
});

describe('signatureOf (against @solana/web3.js transactions)', () => {
  it('finds the owner’s signature in the onboarding-shaped transaction, after the maker signed first', () => {
    const owner = Keypair.generate();
    const maker = Keypair.generate();
    const tx = onboardingLike(owner, maker);
    tx.partialSign(maker);
    const prepared = tx.serialize({ requireAllSignatures: false });

    const parsed = parseTransaction(prepared);
    expect(parsed.version).toBe('legacy');
    expect(parsed.numRequiredSignatures).toBe(2);
    expect(Buffer.from(parsed.message)).toEqual(tx.serializeMessage());
    expect(signerIndex(parsed, owner.publicKey.toBytes())).toBe(0);
    expect(signerIndex(parsed, maker.publicKey.toBytes())).toBe(1);
    expect(() => signatureOf(prepared, owner.publicKey.toBytes())).toThrow(/slot is empty/);
    expect(Buffer.from(signatureOf(prepared, maker.publicKey.toBytes()))).toEqual(tx.signatures[1]!.signature);

    tx.partialSign(owner); // what the browser wallet does
    const signed = tx.serialize();
    const ownerSignature = signatureOf(signed, owner.publicKey.toBytes());
    expect(Buffer.from(ownerSignature)).toEqual(tx.signatures[0]!.signature);
    expect(ed25519Verifies(owner.publicKey.toBytes(), tx.serializeMessage(), ownerSignature)).toBe(true);

    // The server's submit path: its own copy of the prepared transaction plus the extracted signature verifies.
    const server = Transaction.from(prepared);
    server.addSignature(owner.publicKey, Buffer.from(ownerSignature));
    expect(server.verifySignatures()).toBe(true);
  });

  it('finds a signer that is not the fee payer, and refuses a key that is only a non-signing account', () => {
    const payer = Keypair.generate();
    const owner = Keypair.generate();
    const other = Keypair.generate().publicKey;
    const tx = new Transaction({ feePayer: payer.publicKey, blockhash: BLOCKHASH, lastValidBlockHeight: 1 });
    tx.add(
      new TransactionInstruction({
        programId: Keypair.generate().publicKey,
        keys: [
          { pubkey: other, isSigner: false, isWritable: true },
          { pubkey: owner.publicKey, isSigner: true, isWritable: false },
        ],
        data: Buffer.alloc(0),
      }),
    );
    tx.sign(payer, owner);
    const bytes = tx.serialize();
    expect(signerIndex(parseTransaction(bytes), owner.publicKey.toBytes())).toBe(1);
    expect(Buffer.from(signatureOf(bytes, owner.publicKey.toBytes()))).toEqual(tx.signatures[1]!.signature);
    expect(() => signatureOf(bytes, other.toBytes())).toThrow(/not one of the transaction’s signers/);
  });

  it('reads a v0 transaction with an address lookup table', () => {
    const payer = Keypair.generate();
    const owner = Keypair.generate();
    const table = new AddressLookupTableAccount({
      key: Keypair.generate().publicKey,
      state: { deactivationSlot: BigInt('18446744073709551615'), lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses: [Keypair.generate().publicKey, Keypair.generate().publicKey] },
    });
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: BLOCKHASH,
      instructions: [
        new TransactionInstruction({
          programId: Keypair.generate().publicKey,
          keys: [
            { pubkey: owner.publicKey, isSigner: true, isWritable: true },
            { pubkey: table.state.addresses[0]!, isSigner: false, isWritable: true },
            { pubkey: table.state.addresses[1]!, isSigner: false, isWritable: false },
          ],
          data: Buffer.from([1, 2, 3]),
        }),
      ],
    }).compileToV0Message([table]);
    expect(message.addressTableLookups).toHaveLength(1);
    const tx = new VersionedTransaction(message);
    tx.sign([payer, owner]);
    const bytes = tx.serialize();
    const parsed = parseTransaction(bytes);
    expect(parsed.version).toBe(0);
    expect(Buffer.from(parsed.message)).toEqual(Buffer.from(message.serialize()));
    const signature = signatureOf(bytes, owner.publicKey.toBytes());
    expect(Buffer.from(signature)).toEqual(Buffer.from(tx.signatures[1]!));
    expect(ed25519Verifies(owner.publicKey.toBytes(), message.serialize(), signature)).toBe(true);
  });

  it('finds every signer’s slot in random multi-signer transactions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }), (signers, readonly, data) => {
        const keys = Array.from({ length: signers }, () => Keypair.generate());
        const tx = new Transaction({ feePayer: keys[0]!.publicKey, blockhash: BLOCKHASH, lastValidBlockHeight: 1 });
        tx.add(
          new TransactionInstruction({
            programId: Keypair.generate().publicKey,
            keys: [
              ...keys.slice(1).map((k, i) => ({ pubkey: k.publicKey, isSigner: true, isWritable: i % 2 === 0 })),
              ...Array.from({ length: readonly }, () => ({ pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: false })),
            ],
            data: Buffer.from(data),
          }),
        );
        tx.sign(...keys);
        const bytes = tx.serialize();
        expect(parseTransaction(bytes).numRequiredSignatures).toBe(signers);
        for (const k of keys) {
          const slot = tx.signatures.findIndex((s) => s.publicKey.equals(k.publicKey));
          expect(Buffer.from(signatureOf(bytes, k.publicKey.toBytes()))).toEqual(tx.signatures[slot]!.signature);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('parseTransaction refuses malformed bytes', () => {
  const owner = Keypair.generate();
  const maker = Keypair.generate();
  const tx = onboardingLike(owner, maker);
  tx.sign(owner, maker);
  const bytes = new Uint8Array(tx.serialize());

  it('every truncation', () => {
    for (let length = 0; length < bytes.length; length++) {
      expect(() => parseTransaction(bytes.subarray(0, length)), `length ${length}`).toThrow(WireFormatError);
    }
  });
  it('trailing bytes', () => {
    expect(() => parseTransaction(Uint8Array.from([...bytes, 0]))).toThrow(/unexpected bytes after the message/);
  });
  it('a signature count that differs from the header', () => {
    const oneSignature = Uint8Array.from([1, ...bytes.subarray(1 + 64)]);
    expect(() => parseTransaction(oneSignature)).toThrow(/requires 2 signatures but the transaction carries 1/);
  });
  it('an unknown message version', () => {
    const v1 = bytes.slice();
    v1[1 + 2 * 64] = 0x81;
    expect(() => parseTransaction(v1)).toThrow(/unsupported transaction message version 1/);
  });
});
