import anchor from '@coral-xyz/anchor';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from '@solana/web3.js';
import { ed25519Verify, onboardMessage, PocNetworkClient } from '@poc/sdk';
import { decodeHotspotAddress, encodeHotspotAddress, type Region } from '@poc/protocol';
import { getResolution, isValidCell } from 'h3-js';
import type { Sql } from 'postgres';
import { regionForLocation, rewardProof } from '@poc/oracle';
import { HttpError } from '../http-errors';
import { chainError } from './errors';
import { findMakerDevice, markMakerDeviceOnboarded } from './maker-devices';

export interface MapperChainOptions {
  rpcUrl: string;
  wsUrl?: string;
  programId?: string;
  /** The maker's authority key: the mapper co-signs onboarding as the maker's onboarding server does in Helium. */
  maker: Keypair;
  makerName?: string;
  /** SOL the app may airdrop to a demo wallet (local chain / devnet); 0 or absent disables it. */
  airdropSol?: number;
  /** Shown to the user so a wrong network is obvious, e.g. "local chain". */
  clusterName?: string;
  /** Wallet Standard chain id browser wallets must sign for (solana:mainnet, solana:devnet, solana:testnet, solana:localnet); found from the RPC when absent. */
  walletChain?: string;
}

/** Wallet Standard chain ids of Solana's public clusters, by genesis hash. */
const CHAIN_BY_GENESIS: Record<string, string> = {
  '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d': 'solana:mainnet',
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: 'solana:devnet',
  '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY': 'solana:testnet',
};

/**
 * The chain id a browser wallet is asked to sign for: a public cluster by its genesis hash, a validator on this
 * machine as solana:localnet, and null for any other cluster (no standard id exists; wallets are then not told).
 */
export function walletChainFor(rpcUrl: string, genesisHash: string | null): string | null {
  if (genesisHash && CHAIN_BY_GENESIS[genesisHash]) return CHAIN_BY_GENESIS[genesisHash]!;
  let host: string;
  try {
    host = new URL(rpcUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
  return host === 'localhost' || host === '::1' || /^127\./.test(host) ? 'solana:localnet' : null;
}

/** Solana's base fee per signature; the onboarding transaction has two (owner, maker). */
const LAMPORTS_PER_SIGNATURE = 5_000n;

export function parseOwner(owner: string): PublicKey {
  try {
    const key = new PublicKey(owner);
    if (!PublicKey.isOnCurve(key.toBytes())) throw new Error('off curve');
    return key;
  } catch {
    throw new HttpError(400, 'invalid_owner', `"${owner}" is not a Solana wallet address`);
  }
}

/** Accepts the Helium-style hotspot address (b58check) or the raw key in base58. */
export function parseHotspot(hotspot: string): { key: PublicKey; address: string } {
  const text = hotspot.trim();
  try {
    const raw = decodeHotspotAddress(text);
    return { key: new PublicKey(raw), address: text };
  } catch {
    try {
      const key = new PublicKey(text);
      return { key, address: encodeHotspotAddress(key.toBytes()) };
    } catch {
      throw new HttpError(400, 'invalid_hotspot_key', `"${text}" is neither a hotspot address (b58check, starts with 1) nor a base58 Ed25519 key`);
    }
  }
}

export class OnboardingService {
  readonly client: PocNetworkClient;
  readonly maker: Keypair;

  private walletChainLookup: Promise<string | null> | null = null;

  constructor(readonly options: MapperChainOptions) {
    this.maker = options.maker;
    this.client = PocNetworkClient.connect(options.rpcUrl, options.maker, {
      wsUrl: options.wsUrl,
      programId: options.programId ? new PublicKey(options.programId) : undefined,
    });
  }

  private async network() {
    let network;
    try {
      network = await this.client.fetchNetwork();
    } catch (error) {
      throw chainError(error, 'Reading the network configuration');
    }
    if (!network) {
      throw new HttpError(409, 'wrong_network', `no PoC network is configured on ${this.options.clusterName ?? this.options.rpcUrl} (program ${this.client.programId.toBase58()}): wrong network?`);
    }
    return network;
  }

  private walletChain(): Promise<string | null> {
    if (this.options.walletChain) return Promise.resolve(this.options.walletChain);
    this.walletChainLookup ??= this.client.connection.getGenesisHash().then(
      (hash) => walletChainFor(this.options.rpcUrl, hash),
      () => {
        this.walletChainLookup = null; // ask again next time
        return walletChainFor(this.options.rpcUrl, null);
      },
    );
    return this.walletChainLookup;
  }

  async config() {
    const [network, walletChain] = await Promise.all([this.network(), this.walletChain()]);
    return {
      cluster: this.options.clusterName ?? this.options.rpcUrl,
      wallet_chain: walletChain,
      program_id: this.client.programId.toBase58(),
      makers: [{ name: this.options.makerName ?? 'Demo maker', authority: this.maker.publicKey.toBase58() }],
      fees: { onboarding_fee_lamports: network.onboardingFeeLamports.toString(), location_fee_lamports: network.locationFeeLamports.toString() },
      airdrop_sol: this.options.airdropSol ?? 0,
    };
  }

  private async rentForHotspot(): Promise<bigint> {
    return BigInt(await this.client.connection.getMinimumBalanceForRentExemption(this.client.program.account.hotspot.size));
  }

  private checkMaker(makerText: string): PublicKey {
    let maker: PublicKey;
    try {
      maker = new PublicKey(makerText);
    } catch {
      throw new HttpError(400, 'unknown_maker', `"${makerText}" is not a maker address`);
    }
    if (!maker.equals(this.maker.publicKey)) {
      throw new HttpError(409, 'unknown_maker', `maker ${maker.toBase58()} does not onboard through this app; choose ${this.maker.publicKey.toBase58()} or use that maker's own app`);
    }
    return maker;
  }

  /** The maker co-signs only hotspots it built: keys registered in its device list for this maker and not revoked. */
  private async checkManufactured(sql: Sql, hotspot: { address: string }, maker: PublicKey) {
    const device = await findMakerDevice(sql, hotspot.address);
    const makerName = this.options.makerName ?? 'this maker';
    if (!device || device.maker !== maker.toBase58()) {
      throw new HttpError(
        403,
        'not_maker_device',
        `hotspot ${hotspot.address} is not one ${makerName} manufactured (its key is not in the maker's device list), so ${makerName} will not co-sign its onboarding: only a hotspot's own maker can onboard it`,
      );
    }
    if (device.status === 'revoked') {
      throw new HttpError(403, 'device_revoked', `hotspot ${hotspot.address} (batch ${device.batch}) was withdrawn by ${makerName}${device.revoked_reason ? `: ${device.revoked_reason}` : ''}; contact the maker`);
    }
  }

  /** Everything that can be known before the user signs anything: network, maker approval, maker's device, duplicate, funds, fees. */
  async preflight(sql: Sql, input: { owner: string; hotspot: string; maker: string }) {
    const owner = parseOwner(input.owner);
    const hotspot = parseHotspot(input.hotspot);
    const maker = this.checkMaker(input.maker);
    const network = await this.network();
    await this.checkManufactured(sql, hotspot, maker);
    try {
      const makerAccount = await this.client.fetchMaker(maker);
      if (!makerAccount) throw new HttpError(409, 'unknown_maker', `maker ${maker.toBase58()} is not approved on this network (no maker account): contact your manufacturer`);
      const existing = await this.client.fetchHotspot(hotspot.key);
      if (existing) {
        const yours = existing.owner.equals(owner);
        throw new HttpError(409, 'already_onboarded', `hotspot ${hotspot.address} is already onboarded${yours ? ' to your wallet' : ` to wallet ${existing.owner.toBase58()}`}`);
      }
      const rent = await this.rentForHotspot();
      const networkFee = LAMPORTS_PER_SIGNATURE * 2n;
      const total = network.onboardingFeeLamports + network.locationFeeLamports + networkFee + rent;
      const balance = BigInt(await this.client.connection.getBalance(owner));
      const fees = {
        items: [
          { item: 'Onboarding fee (network treasury)', lamports: network.onboardingFeeLamports.toString() },
          { item: 'Location assertion fee', lamports: network.locationFeeLamports.toString() },
          { item: 'Hotspot account rent deposit', lamports: rent.toString() },
          { item: 'Solana transaction fee (2 signatures)', lamports: networkFee.toString() },
        ],
        total_lamports: total.toString(),
        payer: owner.toBase58(),
        onboarding_fee_lamports: network.onboardingFeeLamports.toString(),
      };
      if (balance < total) {
        throw new HttpError(
          402,
          'insufficient_funds',
          `your wallet holds ${(Number(balance) / LAMPORTS_PER_SOL).toFixed(6)} SOL but onboarding needs ${(Number(total) / LAMPORTS_PER_SOL).toFixed(6)} SOL (fees ${fees.items.map((f) => `${f.item} ${(Number(f.lamports) / LAMPORTS_PER_SOL).toFixed(6)}`).join(', ')})`,
          { fees, balance_lamports: balance.toString() },
        );
      }
      return { ok: true, hotspot: hotspot.address, hotspot_key: hotspot.key.toBase58(), maker: maker.toBase58(), program_id: this.client.programId.toBase58(), fees, balance_lamports: balance.toString() };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw chainError(error, 'The preflight check');
    }
  }

  /**
   * Builds possession proof + onboard + assert location in one transaction, signed by the maker; the owner signs last.
   * The onboarding fails on chain if the fee by then exceeds `max_fee_lamports` (default: the fee as of now).
   */
  async prepare(sql: Sql, input: { owner: string; hotspot: string; maker: string; signature: string; h3: string; gain_dbi: number; elevation_m: number; max_fee_lamports?: string }) {
    const owner = parseOwner(input.owner);
    const hotspot = parseHotspot(input.hotspot);
    const maker = this.checkMaker(input.maker);
    const signature = Buffer.from(input.signature, 'base64');
    const message = onboardMessage(this.client.programId, hotspot.key, owner, maker);
    if (signature.length !== 64 || !ed25519Verify(hotspot.key.toBytes(), message, signature)) {
      throw new HttpError(400, 'bad_possession_signature', 'the possession signature does not match this hotspot, owner and maker: ask the hotspot to sign again');
    }
    const region = onboardingRegion(input.h3);
    const checked = await this.preflight(sql, input);
    const maxFee = input.max_fee_lamports ?? checked.fees.onboarding_fee_lamports;
    try {
      const onboard = await this.client.onboardHotspotInstructions({
        hotspotKey: hotspot.key,
        possessionSignature: signature,
        owner,
        makerAuthority: maker,
        region,
        maxFeeLamports: BigInt(maxFee),
      });
      const assert = await this.client.assertLocationInstruction({
        hotspotKey: hotspot.key,
        location: input.h3,
        gainDdbi: Math.round(input.gain_dbi * 10),
        elevationM: Math.round(input.elevation_m),
        region,
        owner,
      });
      const { blockhash, lastValidBlockHeight } = await this.client.connection.getLatestBlockhash('confirmed');
      const tx = new Transaction({ feePayer: owner, blockhash, lastValidBlockHeight });
      tx.add(...onboard, assert);
      tx.partialSign(this.maker);
      return {
        transaction: tx.serialize({ requireAllSignatures: false }).toString('base64'),
        message: tx.serializeMessage().toString('base64'),
        last_valid_block_height: lastValidBlockHeight,
        region,
      };
    } catch (error) {
      throw chainError(error, 'Preparing the onboarding transaction');
    }
  }

  /** After a confirmed onboarding: the maker's device list records the hotspot as onboarded, to this owner. */
  async recordOnboarded(sql: Sql, input: { transaction: string; owner: string }) {
    const tx = Transaction.from(Buffer.from(input.transaction, 'base64'));
    const coder = new anchor.BorshInstructionCoder(this.client.program.rawIdl);
    for (const ix of tx.instructions) {
      if (!ix.programId.equals(this.client.programId)) continue;
      const decoded = coder.decode(ix.data);
      const hotspotKey = (decoded?.data as { hotspot_key?: PublicKey } | undefined)?.hotspot_key;
      if (decoded?.name === 'onboard_hotspot' && hotspotKey) {
        await markMakerDeviceOnboarded(sql, encodeHotspotAddress(hotspotKey.toBytes()), parseOwner(input.owner).toBase58());
      }
    }
  }

  /** Adds the owner's signature to a prepared transaction (onboarding or claim), sends, and waits for confirmation. */
  async submit(input: { transaction: string; owner: string; owner_signature: string }, during = 'Onboarding') {
    const owner = parseOwner(input.owner);
    let tx: Transaction;
    try {
      tx = Transaction.from(Buffer.from(input.transaction, 'base64'));
      tx.addSignature(owner, Buffer.from(input.owner_signature, 'base64'));
    } catch (error) {
      throw new HttpError(400, 'invalid_transaction', `the signed transaction could not be read: ${(error as Error).message}`);
    }
    if (!tx.verifySignatures()) throw new HttpError(400, 'invalid_owner_signature', 'the wallet signature does not verify for this transaction (wrong wallet?)');
    try {
      const signature = await this.client.connection.sendRawTransaction(tx.serialize(), { preflightCommitment: 'confirmed' });
      const result = await this.client.connection.confirmTransaction(
        { signature, blockhash: tx.recentBlockhash!, lastValidBlockHeight: tx.lastValidBlockHeight ?? (await this.client.connection.getBlockHeight()) + 150 },
        'confirmed',
      );
      if (result.value.err) throw Object.assign(new Error(JSON.stringify(result.value.err)), { logs: [] });
      return { signature };
    } catch (error) {
      throw chainError(error, during);
    }
  }

  async airdrop(ownerText: string) {
    const owner = parseOwner(ownerText);
    const sol = this.options.airdropSol ?? 0;
    if (sol <= 0) throw new HttpError(403, 'airdrop_disabled', `demo SOL is only available on a local or test chain; fund ${owner.toBase58()} yourself`);
    try {
      const signature = await this.client.connection.requestAirdrop(owner, Math.round(sol * LAMPORTS_PER_SOL));
      const latest = await this.client.connection.getLatestBlockhash();
      await this.client.connection.confirmTransaction({ signature, ...latest }, 'confirmed');
      return { signature, balance_lamports: String(await this.client.connection.getBalance(owner)) };
    } catch (error) {
      throw chainError(error, 'The airdrop');
    }
  }

  async balance(ownerText: string) {
    const owner = parseOwner(ownerText);
    try {
      return { owner: owner.toBase58(), balance_lamports: String(await this.client.connection.getBalance(owner)) };
    } catch (error) {
      throw chainError(error, 'Reading the balance');
    }
  }

  /** The owner's hotspots on chain with what the newest confirmed epoch lets each claim, and the token balance. */
  async rewards(sql: Sql, ownerText: string) {
    const owner = parseOwner(ownerText);
    try {
      const [hotspots, balance, confirmed] = await Promise.all([
        this.client.fetchAllHotspots({ owner }),
        this.client.rewardBalance(owner),
        sql<{ epoch: bigint }[]>`SELECT epoch FROM epochs WHERE status = 'confirmed' ORDER BY epoch DESC LIMIT 1`,
      ]);
      const epoch = confirmed[0]?.epoch;
      const rows = await Promise.all(
        hotspots.map(async (h) => {
          const address = encodeHotspotAddress(h.hotspotKey.toBytes());
          const proof = epoch === undefined ? null : await rewardProof(sql, address, epoch);
          const earned = proof?.cumulative ?? 0n;
          return { hotspot: address, location_h3: h.locationH3, earned: earned.toString(), claimed: h.claimed.toString(), claimable: (earned > h.claimed ? earned - h.claimed : 0n).toString() };
        }),
      );
      return { owner: owner.toBase58(), epoch: epoch === undefined ? null : Number(epoch), token_balance: balance.toString(), decimals: 6, hotspots: rows };
    } catch (error) {
      throw chainError(error, 'Reading your rewards');
    }
  }

  /**
   * The claim transaction for a hotspot's rewards, for the owner to sign and pay (its fee and the rent of the owner's
   * token account): this server signs nothing, so claims cost it nothing. The program only accepts a proof against
   * the latest root on chain, so the proof is built for the epoch that root belongs to.
   */
  async prepareClaim(sql: Sql, input: { owner: string; hotspot: string }) {
    const owner = parseOwner(input.owner);
    const hotspot = parseHotspot(input.hotspot);
    const network = await this.network();
    const account = await this.client.fetchHotspot(hotspot.key).catch((error) => {
      throw chainError(error, 'Reading the hotspot');
    });
    if (!account) throw new HttpError(404, 'not_onboarded', `hotspot ${hotspot.address} is not onboarded on this network`);
    if (!account.owner.equals(owner)) throw new HttpError(403, 'not_hotspot_owner', `hotspot ${hotspot.address} belongs to ${account.owner.toBase58()}, not to this wallet`);
    if (network.nextEpoch === 0n) throw new HttpError(409, 'nothing_to_claim', 'no reward epoch has been confirmed on chain yet; rewards appear after the first epoch closes');
    const chainEpoch = network.nextEpoch - 1n;
    const onChain = await this.client.fetchEpoch(chainEpoch).catch((error) => {
      throw chainError(error, 'Reading the latest reward epoch');
    });
    // Epochs the oracle computed nothing for are filled on chain with the previous root: prove against the newest
    // computed epoch at or before the chain's latest one (oracle epochs are wall-clock: genesis epoch + chain epoch).
    const [computed] = await sql<{ epoch: bigint }[]>`SELECT epoch FROM epochs WHERE epoch <= ${String(network.genesisEpoch + chainEpoch)}::bigint ORDER BY epoch DESC LIMIT 1`;
    const proof = computed ? await rewardProof(sql, hotspot.address, computed.epoch) : null;
    if (!proof || proof.cumulative <= account.claimed) {
      throw new HttpError(409, 'nothing_to_claim', `nothing to claim for ${hotspot.address}: earned ${(proof?.cumulative ?? 0n).toString()} and already claimed ${account.claimed.toString()} (base units) as of chain epoch ${chainEpoch}`);
    }
    if (!onChain || !Buffer.from(proof.root).equals(Buffer.from(onChain.root))) {
      throw new HttpError(409, 'stale_rewards_proof', `the chain's latest rewards root (chain epoch ${chainEpoch}) is not one this server has computed yet; try again in a minute`);
    }
    try {
      const claim = await this.client.claimRewardsInstruction({ hotspotKey: hotspot.key, owner, epoch: chainEpoch, cumulative: proof.cumulative, proof: proof.proof.map((p) => new Uint8Array(p)) });
      const { blockhash, lastValidBlockHeight } = await this.client.connection.getLatestBlockhash('confirmed');
      const tx = new Transaction({ feePayer: owner, blockhash, lastValidBlockHeight }).add(claim);
      return {
        transaction: tx.serialize({ requireAllSignatures: false }).toString('base64'),
        message: tx.serializeMessage().toString('base64'),
        last_valid_block_height: lastValidBlockHeight,
        epoch: Number(chainEpoch),
        claimable: (proof.cumulative - account.claimed).toString(),
      };
    } catch (error) {
      throw chainError(error, 'Preparing the claim');
    }
  }

  /** Sends a claim the owner signed; returns the owner's token balance after it. */
  async submitClaim(input: { transaction: string; owner: string; owner_signature: string }) {
    const { signature } = await this.submit(input, 'Claiming rewards');
    const balance = await this.client.rewardBalance(parseOwner(input.owner)).catch(() => null);
    return { signature, token_balance: balance === null ? null : balance.toString() };
  }
}

/** The LoRaWAN region the pin's cell lies in, stored on chain with the hotspot; a cell that is no res-12 H3 cell is refused. */
function onboardingRegion(h3: string): Region {
  if (!isValidCell(h3) || getResolution(h3) !== 12) throw new HttpError(400, 'bad_location', `${h3} is not a resolution-12 H3 cell: drop the pin again`);
  const region = regionForLocation(h3);
  if (!region) throw new HttpError(400, 'no_region', `${h3} lies in no country with a LoRaWAN plan (at sea?): drop the pin where the hotspot is`);
  return region;
}
