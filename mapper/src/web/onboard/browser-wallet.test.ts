import { ComputeBudgetProgram, Keypair, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { describe, expect, it } from 'vitest';
import { BrowserWallet, isUserRejection, safeIcon, unusableReason, walletError } from './browser-wallet';
import { WalletError } from './wallet';

const BLOCKHASH = new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => 200 - i)).toBase58();
const ICON = 'data:image/svg+xml;base64,PHN2Zy8+' as const;

/** The prepared onboarding transaction's shape: owner pays, the maker has already signed. */
function prepared(owner: PublicKey, maker: Keypair) {
  const tx = new Transaction({ feePayer: owner, blockhash: BLOCKHASH, lastValidBlockHeight: 10 });
  tx.add(SystemProgram.transfer({ fromPubkey: owner, toPubkey: maker.publicKey, lamports: 5 }));
  tx.add(SystemProgram.transfer({ fromPubkey: maker.publicKey, toPubkey: owner, lamports: 1 }));
  tx.partialSign(maker);
  return { transaction: new Uint8Array(tx.serialize({ requireAllSignatures: false })), message: new Uint8Array(tx.serializeMessage()) };
}

/** A Wallet Standard wallet whose signTransaction is `sign` (web3.js does the signing, unlike the browser test's wallet). */
function fakeWallet(keypair: Keypair, sign: (tx: Transaction) => Uint8Array | Promise<Uint8Array>, chains: `${string}:${string}`[] = ['solana:localnet']): Wallet {
  const account: WalletAccount = { address: keypair.publicKey.toBase58(), publicKey: keypair.publicKey.toBytes(), chains, features: ['solana:signTransaction'] };
  return {
    version: '1.0.0',
    name: 'Fake',
    icon: ICON,
    chains,
    accounts: [account],
    features: {
      'standard:connect': { version: '1.0.0', connect: async () => ({ accounts: [account] }) },
      'solana:signTransaction': {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy'],
        signTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
          Promise.all(inputs.map(async (i) => ({ signedTransaction: await sign(Transaction.from(i.transaction)) }))),
      },
    },
  };
}

describe('BrowserWallet.signOnboarding', () => {
  const owner = Keypair.generate();
  const maker = Keypair.generate();

  it('takes the owner’s signature out of what the wallet signed, and the server’s submit check accepts it', async () => {
    const wallet = (await BrowserWallet.connect(fakeWallet(owner, (tx) => (tx.partialSign(owner), tx.serialize())), 'solana:localnet'))!;
    expect(wallet.address).toBe(owner.publicKey.toBase58());
    const p = prepared(owner.publicKey, maker);
    const signature = await wallet.signOnboarding(p);
    const server = Transaction.from(p.transaction);
    server.addSignature(owner.publicKey, Buffer.from(signature));
    expect(server.verifySignatures()).toBe(true);
  });

  it('says the wallet modified the transaction when it added a priority fee', async () => {
    const modifying = fakeWallet(owner, (tx) => {
      const changed = new Transaction({ feePayer: owner.publicKey, blockhash: BLOCKHASH, lastValidBlockHeight: 10 });
      changed.add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 10_000 }), ...tx.instructions);
      changed.partialSign(owner);
      return changed.serialize({ requireAllSignatures: false });
    });
    const wallet = (await BrowserWallet.connect(modifying, 'solana:localnet'))!;
    await expect(wallet.signOnboarding(prepared(owner.publicKey, maker))).rejects.toMatchObject({ code: 'wallet_modified_transaction', message: expect.stringMatching(/^Fake modified the transaction before signing it/) });
  });

  it('notices an unsigned answer, a wrong signature and bytes that are no transaction', async () => {
    const unsigned = (await BrowserWallet.connect(fakeWallet(owner, (tx) => tx.serialize({ requireAllSignatures: false })), null))!;
    await expect(unsigned.signOnboarding(prepared(owner.publicKey, maker))).rejects.toMatchObject({ code: 'wallet_did_not_sign' });

    const forged = (await BrowserWallet.connect(
      fakeWallet(owner, (tx) => {
        const bytes = tx.serialize({ requireAllSignatures: false });
        bytes.fill(7, 1, 65); // the owner's slot, filled with garbage
        return bytes;
      }),
      null,
    ))!;
    await expect(forged.signOnboarding(prepared(owner.publicKey, maker))).rejects.toMatchObject({ code: 'wallet_bad_signature' });

    const garbage = (await BrowserWallet.connect(fakeWallet(owner, () => Uint8Array.from([1, 2, 3])), null))!;
    await expect(garbage.signOnboarding(prepared(owner.publicKey, maker))).rejects.toMatchObject({ code: 'wallet_bad_transaction' });
  });

  it('turns a user rejection into “you declined in <wallet>”', async () => {
    const declining = fakeWallet(owner, () => {
      throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
    });
    const wallet = (await BrowserWallet.connect(declining, 'solana:localnet'))!;
    await expect(wallet.signOnboarding(prepared(owner.publicKey, maker))).rejects.toMatchObject({ code: 'wallet_rejected', message: 'You declined in Fake: nothing was signed or sent.' });
  });

  it('refuses a wallet on another chain or without the Solana features', async () => {
    await expect(BrowserWallet.connect(fakeWallet(owner, (tx) => tx.serialize(), ['solana:mainnet']), 'solana:localnet')).rejects.toMatchObject({
      code: 'wallet_wrong_chain',
      message: 'Fake is on solana:mainnet, but this network runs on solana:localnet.',
    });
    const eth = { ...fakeWallet(owner, (tx) => tx.serialize()), chains: ['eip155:1'] as const };
    expect(unusableReason(eth)).toBe('no Solana support');
    await expect(BrowserWallet.connect(eth, null)).rejects.toMatchObject({ code: 'wallet_unsupported' });
    const noSigning = { ...fakeWallet(owner, (tx) => tx.serialize()), features: { 'standard:connect': { version: '1.0.0', connect: async () => ({ accounts: [] }) } } };
    expect(unusableReason(noSigning)).toBe('cannot sign Solana transactions');
  });
});

describe('wallet errors', () => {
  it.each([
    [{ code: 4001, message: 'whatever' }, true],
    [new Error('User rejected the request.'), true],
    [new Error('Approval Denied'), true],
    [new Error('Transaction cancelled by user'), true],
    [new Error('Request was rejected'), true],
    [new Error('Transaction simulation failed'), false],
    [new Error('Blockhash not found'), false],
    ['a string', false],
    [null, false],
  ])('isUserRejection(%o) = %s', (error, expected) => {
    expect(isUserRejection(error)).toBe(expected);
  });

  it('gives each failure a specific code naming the wallet', () => {
    expect(walletError({ code: 4001, message: 'User rejected the request.' }, 'Phantom', 'connect')).toMatchObject({ code: 'wallet_rejected', message: 'You declined the connection in Phantom.' });
    expect(walletError({ code: 4100, message: 'The requested method and/or account has not been authorized by the user.' }, 'Phantom', 'sign').code).toBe('wallet_unauthorized');
    expect(walletError(new Error('Wallet is locked'), 'Backpack', 'sign').code).toBe('wallet_locked');
    expect(walletError(new Error('Unsupported chain solana:localnet'), 'Solflare', 'sign').code).toBe('wallet_wrong_chain');
    expect(walletError(new Error('boom'), 'Solflare', 'sign')).toMatchObject({ code: 'wallet_error', message: 'Solflare failed to sign: boom' });
    const own = new WalletError('wallet_no_account', 'x');
    expect(walletError(own, 'A', 'connect')).toBe(own);
  });

  it('puts only data: image URLs from wallets into the page', () => {
    expect(safeIcon(ICON)).toBe(ICON);
    expect(safeIcon('https://evil.example/icon.svg')).toBeNull();
    expect(safeIcon('data:image/svg+xml;base64,AA" onerror="alert(1)')).toBeNull();
  });
});
