/**
 * Browser wallets through the Wallet Standard (Phantom, Solflare, Backpack and any other wallet that registers itself
 * with `wallet-standard:register-wallet` / `wallet-standard:app-ready`).
 *
 * The owner signs the maker-signed onboarding transaction with `solana:signTransaction` (never `signMessage` over raw
 * transaction bytes); the owner's signature is then taken out of the signed transaction the wallet returns.
 */
import { SolanaSignTransaction, type SolanaSignTransactionFeature } from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import {
  StandardConnect,
  StandardDisconnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardDisconnectFeature,
  type StandardEventsFeature,
} from '@wallet-standard/features';
import { base58, WalletError, type OwnerWallet } from './wallet';
import { equalBytes, parseTransaction, signatureOf, WireFormatError } from './wire';

export type { Wallet };

const isSolanaChain = (chain: string) => chain.startsWith('solana:');

/** Why a registered wallet cannot be used here, or null when it can. */
export function unusableReason(wallet: Wallet): string | null {
  if (!wallet.chains.some(isSolanaChain)) return 'no Solana support';
  if (!(StandardConnect in wallet.features)) return 'cannot connect (no standard:connect)';
  if (!(SolanaSignTransaction in wallet.features)) return 'cannot sign Solana transactions';
  return null;
}

/** Every wallet registered with the Wallet Standard so far (calling this first tells wallets the app is ready). */
export function registeredWallets(): readonly Wallet[] {
  return getWallets().get();
}

/** Calls `listener` whenever a wallet registers or unregisters; returns the unsubscribe function. */
export function onWalletsChanged(listener: () => void): () => void {
  const api = getWallets();
  const offs = [api.on('register', listener), api.on('unregister', listener)];
  return () => offs.forEach((off) => off());
}

/** Resolves with the wallet called `name` once it registers, or null after `timeoutMs`. */
export function waitForWallet(name: string, timeoutMs: number): Promise<Wallet | null> {
  const find = () => registeredWallets().find((w) => w.name === name) ?? null;
  const now = find();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = onWalletsChanged(() => {
      const w = find();
      if (w) done(w);
    });
    const timer = setTimeout(() => done(null), timeoutMs);
    function done(w: Wallet | null) {
      clearTimeout(timer);
      off();
      resolve(w);
    }
  });
}

/** A data: image URL from the wallet, or null (anything else is not put into the page). */
export function safeIcon(icon: string): string | null {
  return /^data:image\/(svg\+xml|png|webp|gif|jpeg);base64,[A-Za-z0-9+/=]+$/.test(icon) ? icon : null;
}

/** The wallet's answer to "did the user say no?" is not standardised: EIP-1193's 4001 and the usual words. */
export function isUserRejection(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 4001 || e.code === 'ACTION_REJECTED' || e.name === 'UserRejectedRequestError') return true;
  return /user (rejected|declined|denied|cancell?ed|refused)|rejected the request|request (was )?(rejected|declined|denied|cancell?ed)|approval denied|(rejected|declined|denied|cancell?ed) by (the )?user/i.test(String(e.message ?? ''));
}

/** A specific WalletError for whatever a wallet threw while connecting or signing. */
export function walletError(error: unknown, walletName: string, during: 'connect' | 'sign'): WalletError {
  if (error instanceof WalletError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const text = String(e?.message ?? error ?? 'no reason given');
  if (isUserRejection(error)) {
    return new WalletError(
      'wallet_rejected',
      during === 'connect' ? `You declined the connection in ${walletName}.` : `You declined in ${walletName}: nothing was signed or sent.`,
    );
  }
  if (e?.code === 4100 || /not (been )?authori[sz]ed|unauthori[sz]ed|not connected/i.test(text)) {
    return new WalletError('wallet_unauthorized', `${walletName} has not authorised this site for the account (${text}).`);
  }
  if (/\blocked\b/i.test(text)) return new WalletError('wallet_locked', `${walletName} is locked (${text}).`);
  if (/\b(chain|cluster|network)\b/i.test(text)) return new WalletError('wallet_wrong_chain', `${walletName} refused the chain: ${text}`);
  return new WalletError('wallet_error', `${walletName} failed to ${during === 'connect' ? 'connect' : 'sign'}: ${text}`);
}

async function ed25519Verifies(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean | null> {
  try {
    const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource);
  } catch {
    return null; // this browser cannot verify Ed25519; the server checks anyway
  }
}

export type WalletChange =
  | { type: 'account'; address: string }
  | { type: 'disconnected'; error: WalletError }
  | { type: 'wrong_chain'; error: WalletError };

const short = (address: string) => `${address.slice(0, 4)}…${address.slice(-4)}`;

/** A connected browser wallet: the owner is its first account on `chain` (null: any Solana chain). */
export class BrowserWallet implements OwnerWallet {
  readonly kind = 'browser';
  private offs: (() => void)[] = [];

  private constructor(
    readonly wallet: Wallet,
    private readonly chain: string | null,
    private account: WalletAccount,
  ) {}

  get name() {
    return this.wallet.name;
  }
  get address() {
    return this.account.address;
  }
  get publicKey() {
    return new Uint8Array(this.account.publicKey);
  }

  /**
   * Connects (asking the user unless `silent`) and picks the account. Throws a WalletError: the wallet is missing a
   * feature, is on another chain, shared no account, or the user declined. Returns null when a silent connect got no account.
   */
  static async connect(wallet: Wallet, chain: string | null, options: { silent?: boolean; onChange?: (change: WalletChange) => void } = {}): Promise<BrowserWallet | null> {
    const unusable = unusableReason(wallet);
    if (unusable) throw new WalletError('wallet_unsupported', `${wallet.name} cannot be used here: ${unusable}.`);
    const signing = (wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction];
    if (!signing.supportedTransactionVersions.includes('legacy')) {
      throw new WalletError('wallet_unsupported', `${wallet.name} does not sign legacy Solana transactions, which onboarding uses.`);
    }
    if (chain && !wallet.chains.includes(chain as `${string}:${string}`)) throw wrongChain(wallet, chain);
    let accounts: readonly WalletAccount[];
    try {
      accounts = (await (wallet.features as StandardConnectFeature)[StandardConnect].connect(options.silent ? { silent: true } : undefined)).accounts;
    } catch (error) {
      throw walletError(error, wallet.name, 'connect');
    }
    if (accounts.length === 0) {
      if (options.silent) return null;
      throw new WalletError('wallet_no_account', `${wallet.name} connected but shared no account: unlock it or create a Solana account in it, then connect again.`);
    }
    const account = usableAccount(accounts, chain);
    if (!account) throw wrongChain(wallet, chain!, accounts);
    const connected = new BrowserWallet(wallet, chain, account);
    if (options.onChange) connected.watch(options.onChange);
    return connected;
  }

  private watch(onChange: (change: WalletChange) => void) {
    const events = (this.wallet.features as Partial<StandardEventsFeature>)[StandardEvents];
    if (events) {
      this.offs.push(
        events.on('change', (properties) => {
          if (properties.chains && this.chain && !properties.chains.includes(this.chain as `${string}:${string}`)) {
            onChange({ type: 'wrong_chain', error: wrongChain(this.wallet, this.chain) });
            return;
          }
          if (!properties.accounts) return;
          const account = usableAccount(properties.accounts, this.chain);
          if (!account) {
            this.stopWatching();
            onChange({ type: 'disconnected', error: new WalletError('wallet_disconnected', `${this.name} disconnected this site (it shares no account now).`) });
          } else if (account.address !== this.account.address) {
            this.account = account;
            onChange({ type: 'account', address: account.address });
          }
        }),
      );
    }
    this.offs.push(
      getWallets().on('unregister', (...gone) => {
        if (!gone.includes(this.wallet)) return;
        this.stopWatching();
        onChange({ type: 'disconnected', error: new WalletError('wallet_not_found', `${this.name} was removed from this browser.`) });
      }),
    );
  }

  /** Stops following the wallet's account and registration changes. */
  stopWatching() {
    this.offs.forEach((off) => off());
    this.offs = [];
  }

  /** Stops listening and asks the wallet to forget this site when it can (standard:disconnect is optional). */
  async disconnect(): Promise<void> {
    this.stopWatching();
    const feature = (this.wallet.features as Partial<StandardDisconnectFeature>)[StandardDisconnect];
    try {
      await feature?.disconnect();
    } catch {
      // the app forgets the wallet either way
    }
  }

  async signOnboarding(prepared: { transaction: Uint8Array; message: Uint8Array }): Promise<Uint8Array> {
    const { name } = this;
    const account = this.account;
    const owner = new Uint8Array(account.publicKey);
    const signing = (this.wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction];
    let signed: Uint8Array | undefined;
    try {
      const outputs = await signing.signTransaction({ account, transaction: prepared.transaction, ...(this.chain ? { chain: this.chain as `${string}:${string}` } : {}) });
      signed = outputs[0]?.signedTransaction;
    } catch (error) {
      throw walletError(error, name, 'sign');
    }
    if (!signed) throw new WalletError('wallet_error', `${name} answered without a signed transaction.`);
    let parsed;
    try {
      parsed = parseTransaction(new Uint8Array(signed));
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      throw new WalletError('wallet_bad_transaction', `${name} returned something that is not a Solana transaction (${error.message}).`);
    }
    if (!equalBytes(parsed.message, prepared.message)) {
      throw new WalletError(
        'wallet_modified_transaction',
        `${name} modified the transaction before signing it (for example by adding a priority fee or another instruction), so its signature does not match the transaction the maker signed and the network would refuse it.`,
      );
    }
    let signature: Uint8Array;
    try {
      signature = signatureOf(parsed, owner);
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      throw new WalletError('wallet_did_not_sign', `${name} returned the transaction without a signature from ${short(base58(owner))} (did you switch accounts in the wallet?).`);
    }
    if ((await ed25519Verifies(owner, prepared.message, signature)) === false) {
      throw new WalletError('wallet_bad_signature', `${name} returned a signature that does not verify for ${short(base58(owner))}.`);
    }
    return signature;
  }
}

function usableAccount(accounts: readonly WalletAccount[], chain: string | null): WalletAccount | undefined {
  return accounts.find(
    (a) =>
      a.publicKey.length === 32 &&
      (a.chains.length === 0 ? true : chain ? a.chains.includes(chain as `${string}:${string}`) : a.chains.some(isSolanaChain)) &&
      (a.features.length === 0 || a.features.includes(SolanaSignTransaction)),
  );
}

function wrongChain(wallet: Wallet, chain: string, accounts?: readonly WalletAccount[]): WalletError {
  const offered = [...new Set((accounts ?? [wallet]).flatMap((x) => x.chains).filter(isSolanaChain))];
  return new WalletError(
    'wallet_wrong_chain',
    `${wallet.name} is on ${offered.join(', ') || 'no Solana chain'}, but this network runs on ${chain}.`,
  );
}
