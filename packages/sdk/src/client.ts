/**
 * TypeScript client of the poc-network program, on @coral-xyz/anchor 0.31.1 and the committed
 * IDL. The same code drives the local chain (poc-localchain) and a real cluster.
 */
// @coral-xyz/anchor ships CommonJS only: Node's ESM loader (tsx) sees its exports through the
// default import, not as named imports.
import anchor from '@coral-xyz/anchor';
import type { AnchorProvider as AnchorProviderType, Idl, Program as AnchorProgram, Wallet } from '@coral-xyz/anchor';
import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  SYSVAR_INSTRUCTIONS_PUBKEY,
  Transaction,
  VersionedTransaction,
  type TransactionInstruction,
  type Commitment,
  type Signer,
} from '@solana/web3.js';
import type { ChainWriter, RewardsRootSubmission, TransactionState } from './chain-writer';
import idlJson from './idl/poc_network.json' with { type: 'json' };
import type { PocNetwork } from './idl/poc_network';
import { encodeHotspotAddress, regionCode, regionFromCode, type Region } from '@poc/protocol';
import { ed25519PublicKey, ed25519Sign, onboardMessage, possessionProofInstruction } from './possession';
import { ASSOCIATED_TOKEN_PROGRAM_ID, PocNetworkPdas, POC_NETWORK_PROGRAM_ID, TOKEN_PROGRAM_ID } from './pda';

const { AnchorProvider, BN, BorshCoder, EventParser, Program, translateError } = anchor;

export const POC_NETWORK_IDL = idlJson as unknown as PocNetwork;

/** Byte offsets in a Hotspot account (after the 8-byte discriminator), for memcmp filters. */
export const HOTSPOT_LAYOUT = { hotspotKey: 8, owner: 40, maker: 72 } as const;

export interface NetworkConfigAccount {
  address: PublicKey;
  admin: PublicKey;
  oracle: PublicKey;
  rewardMint: PublicKey;
  /** Genesis time, aligned down to a multiple of the epoch length. */
  genesisTs: bigint;
  /** Chain epoch n is wall-clock epoch genesisEpoch + n (unix seconds / epoch length), the oracle's numbering. */
  genesisEpoch: bigint;
  epochLengthSecs: bigint;
  initialEpochEmission: bigint;
  halvingIntervalEpochs: bigint;
  onboardingFeeLamports: bigint;
  locationFeeLamports: bigint;
  nextEpoch: bigint;
  totalEmitted: bigint;
  totalClaimed: bigint;
  hotspotCount: bigint;
  makerCount: bigint;
  /** Key proposed by `proposeAdmin`, admin once it calls `acceptAdmin`; null when none is pending. */
  pendingAdmin: PublicKey | null;
}

export interface HotspotAccount {
  address: PublicKey;
  hotspotKey: PublicKey;
  owner: PublicKey;
  /** Authority key of the maker that onboarded it. */
  maker: PublicKey;
  onboardedAt: bigint;
  updatedAt: bigint;
  /** H3 resolution-12 cell as a u64, 0n until asserted. */
  location: bigint;
  /** The same cell as an h3-js string, null until asserted. */
  locationH3: string | null;
  gainDdbi: number;
  elevationM: number;
  /** LoRaWAN region code as stored (index in REGIONS). */
  regionCode: number;
  /** The region that code names; null for a code this build's REGIONS does not know. */
  region: Region | null;
  locationAsserts: number;
  locationAssertedAt: bigint;
  /** Cumulative rewards already minted for this hotspot. */
  claimed: bigint;
}

export interface MakerAccount {
  address: PublicKey;
  authority: PublicKey;
  approvedAt: bigint;
  hotspotsOnboarded: bigint;
}

export interface EpochRewardsAccount {
  address: PublicKey;
  epoch: bigint;
  root: Uint8Array;
  cumulativeTotal: bigint;
  epochAmount: bigint;
  submittedAt: bigint;
}

export interface InitializeNetworkParams {
  oracle: PublicKey;
  epochLengthSecs: bigint | number;
  initialEpochEmission: bigint;
  halvingIntervalEpochs: bigint | number;
  onboardingFeeLamports: bigint;
  locationFeeLamports: bigint;
}

export interface PocEvent {
  name: string;
  data: Record<string, unknown>;
}

/** A Wallet backed by a Keypair (what AnchorProvider needs), without anchor's NodeWallet. */
export class KeypairWallet implements Wallet {
  constructor(readonly payer: Keypair) {}
  get publicKey(): PublicKey {
    return this.payer.publicKey;
  }
  async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
    if (tx instanceof VersionedTransaction) tx.sign([this.payer]);
    else tx.partialSign(this.payer);
    return tx;
  }
  async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
    for (const tx of txs) await this.signTransaction(tx);
    return txs;
  }
}

export interface ConnectOptions {
  /** WebSocket endpoint; web3.js derives http port+1 when omitted (poc-localchain serves both). */
  wsUrl?: string;
  commitment?: Commitment;
  programId?: PublicKey;
}

const big = (v: { toString(): string }) => BigInt(v.toString());
const bn = (v: bigint | number) => new BN(v.toString());

export function h3ToU64(cell: string | bigint): bigint {
  return typeof cell === 'bigint' ? cell : BigInt(`0x${cell}`);
}

export function u64ToH3(value: bigint): string | null {
  return value === 0n ? null : value.toString(16);
}

/** The part of web3.js's internal websocket client (rpc-websockets' CommonClient) that close() uses. */
interface RpcWebSocket {
  setAutoReconnect(reconnect: boolean): void;
  reconnect_timer_id: ReturnType<typeof setTimeout> | undefined;
  close(code?: number, reason?: string): void;
}

/** A websocket close code of the range applications define (RFC 6455 §7.4.2). */
const CLIENT_CLOSED = 4000;

export class PocNetworkClient implements ChainWriter {
  readonly program: AnchorProgram<PocNetwork>;
  readonly pdas: PocNetworkPdas;

  constructor(readonly provider: AnchorProviderType, programId: PublicKey = POC_NETWORK_PROGRAM_ID) {
    const idl = { ...POC_NETWORK_IDL, address: programId.toBase58() } as PocNetwork;
    this.program = new Program<PocNetwork>(idl, provider);
    this.pdas = new PocNetworkPdas(programId);
  }

  /** Client for `rpcUrl` whose fee payer (and default admin/oracle signer) is `payer`. */
  static connect(rpcUrl: string, payer: Keypair, options: ConnectOptions = {}): PocNetworkClient {
    const commitment = options.commitment ?? 'confirmed';
    const connection = new Connection(rpcUrl, { commitment, wsEndpoint: options.wsUrl });
    const provider = new AnchorProvider(connection, new KeypairWallet(payer), { commitment, preflightCommitment: commitment });
    return new PocNetworkClient(provider, options.programId);
  }

  get connection(): Connection {
    return this.provider.connection;
  }

  /**
   * Ends the connection's websocket for good, subscriptions included. web3.js 1.x has no public close, and its
   * websocket client retries every second forever once the node is gone, logging "ws error" each time: close a
   * client before its node stops. The HTTP side stays usable; a later subscription opens a socket again, without
   * automatic reconnection.
   */
  close(): void {
    const socket = (this.connection as unknown as { _rpcWebSocket: RpcWebSocket })._rpcWebSocket;
    socket.setAutoReconnect(false);
    clearTimeout(socket.reconnect_timer_id);
    // Not 1000: on a normal close web3.js reopens the socket at once for subscriptions still open.
    socket.close(CLIENT_CLOSED, 'client closed');
  }
  get programId(): PublicKey {
    return this.program.programId;
  }
  get wallet(): PublicKey {
    return this.provider.wallet.publicKey;
  }

  /** Extra signers that are not the provider wallet (which always signs as fee payer). */
  private others(...signers: (Signer | undefined)[]): Signer[] {
    return signers.filter((s): s is Signer => s !== undefined && !s.publicKey.equals(this.wallet));
  }

  // ---------------------------------------------------------------- instructions

  /** Only the program's upgrade authority (the deploying wallet; on poc-localchain its --upgrade-authority) may initialise; it becomes the admin. */
  async initializeNetwork(params: InitializeNetworkParams, admin?: Signer): Promise<string> {
    return this.program.methods
      .initializeNetwork({
        oracle: params.oracle,
        epochLengthSecs: bn(params.epochLengthSecs),
        initialEpochEmission: bn(params.initialEpochEmission),
        halvingIntervalEpochs: bn(params.halvingIntervalEpochs),
        onboardingFeeLamports: bn(params.onboardingFeeLamports),
        locationFeeLamports: bn(params.locationFeeLamports),
      })
      .accountsStrict({
        admin: admin?.publicKey ?? this.wallet,
        programData: this.pdas.programData(),
        network: this.pdas.network(),
        rewardMint: this.pdas.rewardMint(),
        treasury: this.pdas.treasury(),
        tokenProgram: TOKEN_PROGRAM_ID,
        systemProgram: SystemProgram.programId,
      })
      .signers(this.others(admin))
      .rpc();
  }

  /** Initialises the network unless it already exists; returns its config either way. */
  async ensureNetwork(params: InitializeNetworkParams, admin?: Signer): Promise<NetworkConfigAccount> {
    const existing = await this.fetchNetwork();
    if (existing) return existing;
    await this.initializeNetwork(params, admin);
    const created = await this.fetchNetwork();
    if (!created) throw new Error('network account missing after initialisation');
    return created;
  }

  async updateFees(params: { onboardingFeeLamports: bigint; locationFeeLamports: bigint }, admin?: Signer): Promise<string> {
    return this.program.methods
      .updateFees(bn(params.onboardingFeeLamports), bn(params.locationFeeLamports))
      .accountsStrict({ admin: admin?.publicKey ?? this.wallet, network: this.pdas.network() })
      .signers(this.others(admin))
      .rpc();
  }

  /** Admin: the oracle role moves to `newOracle` at once. */
  async rotateOracle(newOracle: PublicKey, admin?: Signer): Promise<string> {
    return this.program.methods
      .rotateOracle(newOracle)
      .accountsStrict({ admin: admin?.publicKey ?? this.wallet, network: this.pdas.network() })
      .signers(this.others(admin))
      .rpc();
  }

  /** Admin, step 1 of 2: propose `newAdmin` (the current admin's own key withdraws a proposal). */
  async proposeAdmin(newAdmin: PublicKey, admin?: Signer): Promise<string> {
    return this.program.methods
      .proposeAdmin(newAdmin)
      .accountsStrict({ admin: admin?.publicKey ?? this.wallet, network: this.pdas.network() })
      .signers(this.others(admin))
      .rpc();
  }

  /** Step 2 of 2, signed by the proposed key (default: the wallet): it becomes the admin. */
  async acceptAdmin(newAdmin?: Signer): Promise<string> {
    return this.program.methods
      .acceptAdmin()
      .accountsStrict({ newAdmin: newAdmin?.publicKey ?? this.wallet, network: this.pdas.network() })
      .signers(this.others(newAdmin))
      .rpc();
  }

  async approveMaker(authority: PublicKey, admin?: Signer): Promise<string> {
    return this.program.methods
      .approveMaker(authority)
      .accountsStrict({
        admin: admin?.publicKey ?? this.wallet,
        network: this.pdas.network(),
        maker: this.pdas.maker(authority),
        systemProgram: SystemProgram.programId,
      })
      .signers(this.others(admin))
      .rpc();
  }

  async revokeMaker(authority: PublicKey, admin?: Signer): Promise<string> {
    return this.program.methods
      .revokeMaker()
      .accountsStrict({ admin: admin?.publicKey ?? this.wallet, network: this.pdas.network(), maker: this.pdas.maker(authority) })
      .signers(this.others(admin))
      .rpc();
  }

  /** The message the hotspot key must sign to be onboarded for `owner` through `makerAuthority`. */
  onboardMessage(hotspotKey: PublicKey, owner: PublicKey, makerAuthority: PublicKey): Uint8Array {
    return onboardMessage(this.programId, hotspotKey, owner, makerAuthority);
  }

  /**
   * Onboards a hotspot: `owner` and the approved maker's authority sign; `possessionSignature`
   * is the hotspot key's Ed25519 signature over `onboardMessage(...)`. The program refuses the
   * onboarding (FeeAboveMaximum) if the fee exceeds `maxFeeLamports`, by default the fee read now.
   * `region` is the LoRaWAN region the hotspot operates in, stored on chain with it.
   */
  async onboardHotspot(params: {
    hotspotKey: PublicKey;
    possessionSignature: Uint8Array;
    owner: Signer;
    makerAuthority: Signer;
    region: Region;
    maxFeeLamports?: bigint;
  }): Promise<string> {
    const { owner, makerAuthority } = params;
    const maxFeeLamports = params.maxFeeLamports ?? (await this.requireNetwork()).onboardingFeeLamports;
    const instructions = await this.onboardHotspotInstructions({ ...params, owner: owner.publicKey, makerAuthority: makerAuthority.publicKey, maxFeeLamports });
    return this.send(instructions, [owner, makerAuthority]);
  }

  /**
   * The onboarding instructions, to compose into a transaction the caller signs and sends: the Ed25519 possession
   * proof the program reads through the instructions sysvar, then `onboard_hotspot`. Owner and maker authority sign.
   */
  async onboardHotspotInstructions(params: {
    hotspotKey: PublicKey;
    possessionSignature: Uint8Array;
    owner: PublicKey;
    makerAuthority: PublicKey;
    region: Region;
    maxFeeLamports: bigint;
  }): Promise<TransactionInstruction[]> {
    const { hotspotKey, owner, makerAuthority } = params;
    const message = this.onboardMessage(hotspotKey, owner, makerAuthority);
    const onboard = await this.program.methods
      .onboardHotspot(hotspotKey, bn(params.maxFeeLamports), regionCode(params.region))
      .accountsStrict({
        owner,
        makerAuthority,
        maker: this.pdas.maker(makerAuthority),
        network: this.pdas.network(),
        treasury: this.pdas.treasury(),
        hotspot: this.pdas.hotspot(hotspotKey),
        instructions: SYSVAR_INSTRUCTIONS_PUBKEY,
        systemProgram: SystemProgram.programId,
      })
      .instruction();
    return [possessionProofInstruction(hotspotKey, message, params.possessionSignature), onboard];
  }

  /**
   * Onboards a hotspot whose Ed25519 secret key (32-byte seed, as the bridge stores it, or 64
   * bytes) is at hand, e.g. a simulated fleet: signs the possession message with it. Returns
   * the hotspot key and the transaction signature.
   */
  async onboardHotspotWithKey(params: {
    hotspotSecretKey: Uint8Array;
    owner: Signer;
    makerAuthority: Signer;
    region: Region;
    maxFeeLamports?: bigint;
  }): Promise<{ hotspotKey: PublicKey; signature: string }> {
    const hotspotKey = new PublicKey(ed25519PublicKey(params.hotspotSecretKey));
    const message = this.onboardMessage(hotspotKey, params.owner.publicKey, params.makerAuthority.publicKey);
    const signature = await this.onboardHotspot({
      hotspotKey,
      possessionSignature: ed25519Sign(params.hotspotSecretKey, message),
      owner: params.owner,
      makerAuthority: params.makerAuthority,
      region: params.region,
      maxFeeLamports: params.maxFeeLamports,
    });
    return { hotspotKey, signature };
  }

  /** Asserts location (H3 res-12 cell as h3-js string or u64), gain in dBi×10, elevation in metres and the location's LoRaWAN region. */
  async assertLocation(params: { hotspotKey: PublicKey; location: string | bigint; gainDdbi: number; elevationM: number; region: Region; owner: Signer }): Promise<string> {
    return this.send([await this.assertLocationInstruction({ ...params, owner: params.owner.publicKey })], [params.owner]);
  }

  /** The `assert_location` instruction, signed by the hotspot's owner, who pays the location fee. */
  async assertLocationInstruction(params: { hotspotKey: PublicKey; location: string | bigint; gainDdbi: number; elevationM: number; region: Region; owner: PublicKey }): Promise<TransactionInstruction> {
    return this.program.methods
      .assertLocation(bn(h3ToU64(params.location)), params.gainDdbi, params.elevationM, regionCode(params.region))
      .accountsStrict({
        owner: params.owner,
        network: this.pdas.network(),
        treasury: this.pdas.treasury(),
        hotspot: this.pdas.hotspot(params.hotspotKey),
        systemProgram: SystemProgram.programId,
      })
      .instruction();
  }

  /**
   * Sends `instructions` in one transaction paid by the wallet, with `signers` besides it; resolves once confirmed.
   * Program errors come back as Anchor errors named by the IDL, as from `.rpc()`.
   */
  private async send(instructions: TransactionInstruction[], signers: Signer[]): Promise<string> {
    const tx = new Transaction().add(...instructions);
    try {
      return await this.provider.sendAndConfirm(tx, this.others(...signers));
    } catch (error) {
      throw translateError(error, this.idlErrors);
    }
  }

  private readonly idlErrors = new Map((POC_NETWORK_IDL.errors as { code: number; name: string; msg?: string }[]).map((e) => [e.code, e.msg ?? e.name]));

  async transferHotspot(params: { hotspotKey: PublicKey; newOwner: PublicKey; owner: Signer }): Promise<string> {
    return this.program.methods
      .transferHotspot(params.newOwner)
      .accountsStrict({ owner: params.owner.publicKey, hotspot: this.pdas.hotspot(params.hotspotKey) })
      .signers(this.others(params.owner))
      .rpc();
  }

  private submitEpochBuilder(params: { epoch: bigint; root: Uint8Array; cumulativeTotal: bigint; oracle?: Signer }) {
    if (params.root.length !== 32) throw new RangeError('root must be 32 bytes');
    return this.program.methods
      .submitEpochRewards(bn(params.epoch), Array.from(params.root), bn(params.cumulativeTotal))
      .accountsStrict({
        oracle: params.oracle?.publicKey ?? this.wallet,
        network: this.pdas.network(),
        epochRewards: this.pdas.epoch(params.epoch),
        systemProgram: SystemProgram.programId,
      })
      .signers(this.others(params.oracle));
  }

  /** Oracle: commit an epoch's Merkle root and cumulative total; waits for confirmation. */
  async submitEpochRewards(params: { epoch: bigint; root: Uint8Array; cumulativeTotal: bigint; oracle?: Signer }): Promise<string> {
    return this.submitEpochBuilder(params).rpc();
  }

  private claimBuilder(params: { hotspotKey: PublicKey; owner: PublicKey; epoch: bigint; cumulative: bigint; proof: Uint8Array[] }) {
    return this.program.methods
      .claimRewards(bn(params.epoch), bn(params.cumulative), params.proof.map((p) => Array.from(p)))
      .accountsStrict({
        owner: params.owner,
        network: this.pdas.network(),
        epochRewards: this.pdas.epoch(params.epoch),
        hotspot: this.pdas.hotspot(params.hotspotKey),
        rewardMint: this.pdas.rewardMint(),
        ownerTokenAccount: this.pdas.rewardTokenAccount(params.owner),
        tokenProgram: TOKEN_PROGRAM_ID,
        associatedTokenProgram: ASSOCIATED_TOKEN_PROGRAM_ID,
        systemProgram: SystemProgram.programId,
      });
  }

  /**
   * The claim instruction, for a transaction the owner signs elsewhere (e.g. a browser wallet).
   * Tokens go to `owner`'s associated token account (created if needed, its rent paid by the
   * owner); the proof must be against the latest epoch on chain (older: StaleEpochRoot).
   */
  async claimRewardsInstruction(params: {
    hotspotKey: PublicKey;
    owner: PublicKey;
    epoch: bigint;
    cumulative: bigint;
    proof: Uint8Array[];
  }): Promise<TransactionInstruction> {
    return this.claimBuilder(params).instruction();
  }

  /** Claims a hotspot's rewards, signed by its owner (default: the wallet), as `claimRewardsInstruction`. */
  async claimRewards(params: { hotspotKey: PublicKey; epoch: bigint; cumulative: bigint; proof: Uint8Array[]; owner?: Signer }): Promise<string> {
    return this.claimBuilder({ ...params, owner: params.owner?.publicKey ?? this.wallet })
      .signers(this.others(params.owner))
      .rpc();
  }

  async withdrawTreasury(amount: bigint, to: PublicKey, admin?: Signer): Promise<string> {
    return this.program.methods
      .withdrawTreasury(bn(amount))
      .accountsStrict({ admin: admin?.publicKey ?? this.wallet, network: this.pdas.network(), treasury: this.pdas.treasury(), to })
      .signers(this.others(admin))
      .rpc();
  }

  // ---------------------------------------------------------------- accounts

  async fetchNetwork(): Promise<NetworkConfigAccount | null> {
    const address = this.pdas.network();
    const a = await this.program.account.networkConfig.fetchNullable(address);
    if (!a) return null;
    return {
      address,
      admin: a.admin,
      oracle: a.oracle,
      rewardMint: a.rewardMint,
      genesisTs: big(a.genesisTs),
      genesisEpoch: big(a.genesisEpoch),
      epochLengthSecs: big(a.epochLengthSecs),
      initialEpochEmission: big(a.initialEpochEmission),
      halvingIntervalEpochs: big(a.halvingIntervalEpochs),
      onboardingFeeLamports: big(a.onboardingFeeLamports),
      locationFeeLamports: big(a.locationFeeLamports),
      nextEpoch: big(a.nextEpoch),
      totalEmitted: big(a.totalEmitted),
      totalClaimed: big(a.totalClaimed),
      hotspotCount: big(a.hotspotCount),
      makerCount: big(a.makerCount),
      pendingAdmin: a.pendingAdmin ?? null,
    };
  }

  private toHotspot(address: PublicKey, a: Awaited<ReturnType<AnchorProgram<PocNetwork>['account']['hotspot']['fetch']>>): HotspotAccount {
    const location = big(a.location);
    return {
      address,
      hotspotKey: a.hotspotKey,
      owner: a.owner,
      maker: a.maker,
      onboardedAt: big(a.onboardedAt),
      updatedAt: big(a.updatedAt),
      location,
      locationH3: u64ToH3(location),
      gainDdbi: a.gainDbiX10, // the IDL field (dBi × 10)
      elevationM: a.elevationM,
      regionCode: a.region,
      region: regionFromCode(a.region),
      locationAsserts: a.locationAsserts,
      locationAssertedAt: big(a.locationAssertedAt),
      claimed: big(a.claimed),
    };
  }

  async fetchHotspot(hotspotKey: PublicKey): Promise<HotspotAccount | null> {
    const address = this.pdas.hotspot(hotspotKey);
    const a = await this.program.account.hotspot.fetchNullable(address);
    return a ? this.toHotspot(address, a) : null;
  }

  /** Every onboarded hotspot (the registry mirror), optionally only one owner's or maker's. */
  async fetchAllHotspots(filter: { owner?: PublicKey; maker?: PublicKey } = {}): Promise<HotspotAccount[]> {
    const filters = [];
    if (filter.owner) filters.push({ memcmp: { offset: HOTSPOT_LAYOUT.owner, bytes: filter.owner.toBase58() } });
    if (filter.maker) filters.push({ memcmp: { offset: HOTSPOT_LAYOUT.maker, bytes: filter.maker.toBase58() } });
    const all = await this.program.account.hotspot.all(filters);
    return all.map((h) => this.toHotspot(h.publicKey, h.account));
  }

  /**
   * The on-chain registry in the oracle's terms (Helium b58check address, h3-js cell, gain in
   * dBi×10 = deci-dBi), for mirroring into the hotspots table.
   */
  async fetchRegistry(): Promise<
    {
      address: string;
      owner: string;
      maker: string;
      locationH3: string | null;
      gainDdbi: number;
      elevationM: number;
      /** The region stored on chain (null for a code this build does not know). */
      region: Region | null;
      locationAssertedAt: Date | null;
      onboardedAt: Date;
    }[]
  > {
    const all = await this.fetchAllHotspots();
    return all.map((h) => ({
      address: encodeHotspotAddress(h.hotspotKey.toBytes()),
      owner: h.owner.toBase58(),
      maker: h.maker.toBase58(),
      locationH3: h.locationH3,
      gainDdbi: h.gainDdbi,
      elevationM: h.elevationM,
      region: h.region,
      locationAssertedAt: h.locationAsserts > 0 ? new Date(Number(h.locationAssertedAt) * 1000) : null,
      onboardedAt: new Date(Number(h.onboardedAt) * 1000),
    }));
  }

  async fetchMaker(authority: PublicKey): Promise<MakerAccount | null> {
    const address = this.pdas.maker(authority);
    const a = await this.program.account.maker.fetchNullable(address);
    return a ? { address, authority: a.authority, approvedAt: big(a.approvedAt), hotspotsOnboarded: big(a.hotspotsOnboarded) } : null;
  }

  async fetchEpoch(epoch: bigint): Promise<EpochRewardsAccount | null> {
    const address = this.pdas.epoch(epoch);
    const a = await this.program.account.epochRewards.fetchNullable(address);
    if (!a) return null;
    return {
      address,
      epoch: big(a.epoch),
      root: Uint8Array.from(a.root),
      cumulativeTotal: big(a.cumulativeTotal),
      epochAmount: big(a.epochAmount),
      submittedAt: big(a.submittedAt),
    };
  }

  async fetchAllEpochs(): Promise<EpochRewardsAccount[]> {
    const all = await this.program.account.epochRewards.all();
    return all
      .map((e) => ({
        address: e.publicKey,
        epoch: big(e.account.epoch),
        root: Uint8Array.from(e.account.root),
        cumulativeTotal: big(e.account.cumulativeTotal),
        epochAmount: big(e.account.epochAmount),
        submittedAt: big(e.account.submittedAt),
      }))
      .sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0));
  }

  /** Reward-token balance (base units) of an owner's associated token account; 0n if none. */
  async rewardBalance(owner: PublicKey): Promise<bigint> {
    const ata = this.pdas.rewardTokenAccount(owner);
    const info = await this.connection.getAccountInfo(ata);
    if (!info) return 0n;
    return new DataView(info.data.buffer, info.data.byteOffset, info.data.byteLength).getBigUint64(64, true);
  }

  /** Events the program emitted in a confirmed transaction. */
  async eventsOf(signature: string): Promise<PocEvent[]> {
    const tx = await this.connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    const logs = tx?.meta?.logMessages ?? [];
    const parser = new EventParser(this.programId, new BorshCoder(this.program.idl as unknown as Idl));
    return [...parser.parseLogs(logs)].map((e) => ({ name: e.name, data: e.data as Record<string, unknown> }));
  }

  // ---------------------------------------------------------------- epochs and the oracle

  /**
   * Chain epoch index of a wall-clock (oracle) epoch: oracleEpoch − genesisEpoch. The program
   * numbers epochs 0, 1, 2… from its genesis; the oracle numbers them unix seconds / length.
   */
  async toChainEpoch(oracleEpoch: bigint): Promise<bigint> {
    const net = await this.requireNetwork();
    if (oracleEpoch < net.genesisEpoch) {
      throw new RangeError(`epoch ${oracleEpoch} precedes the chain's genesis epoch ${net.genesisEpoch}`);
    }
    return oracleEpoch - net.genesisEpoch;
  }

  /** Emission allowed for a chain epoch under the halving schedule (what the program enforces). */
  static emissionForEpoch(net: Pick<NetworkConfigAccount, 'initialEpochEmission' | 'halvingIntervalEpochs'>, chainEpoch: bigint): bigint {
    const halvings = chainEpoch / net.halvingIntervalEpochs;
    return halvings >= 64n ? 0n : net.initialEpochEmission >> halvings;
  }

  private async requireNetwork(): Promise<NetworkConfigAccount> {
    const net = await this.fetchNetwork();
    if (!net) throw new Error('the poc-network program is not initialised on this chain');
    return net;
  }

  // ChainWriter: `epoch` here is the oracle's wall-clock epoch number.

  /** The cluster's latest blockhash as 32 bytes (the oracle mixes it into its entropy). */
  async latestBlockhash(): Promise<Uint8Array> {
    return new PublicKey((await this.connection.getLatestBlockhash()).blockhash).toBytes();
  }

  async getEpochRoot(epoch: bigint): Promise<Uint8Array | null> {
    const net = await this.fetchNetwork();
    if (!net || epoch < net.genesisEpoch) return null;
    return (await this.fetchEpoch(epoch - net.genesisEpoch))?.root ?? null;
  }

  /**
   * Sends the epoch's root signed by the provider wallet (the oracle) and returns the signature
   * without waiting. Chain epochs are strictly consecutive, so epochs the oracle never computed
   * (no reports yet) are first filled, confirmed, with an unchanged cumulative total and the
   * previous root (all zeros before the first), which emit nothing.
   */
  async submitRewardsRoot(submission: RewardsRootSubmission): Promise<string> {
    const target = await this.toChainEpoch(submission.epoch);
    let net = await this.requireNetwork();
    while (net.nextEpoch < target) {
      const previous = net.nextEpoch === 0n ? null : await this.fetchEpoch(net.nextEpoch - 1n);
      await this.submitEpochRewards({
        epoch: net.nextEpoch,
        root: previous?.root ?? new Uint8Array(32),
        cumulativeTotal: net.totalEmitted,
      });
      net = await this.requireNetwork();
    }
    if (net.nextEpoch > target) throw new Error(`epoch ${submission.epoch} (chain epoch ${target}) is already on chain`);
    const tx = await this.submitEpochBuilder({
      epoch: target,
      root: submission.root,
      cumulativeTotal: submission.totalCumulative,
    }).transaction();
    const { blockhash } = await this.connection.getLatestBlockhash('confirmed');
    tx.recentBlockhash = blockhash;
    tx.feePayer = this.wallet;
    const signed = await this.provider.wallet.signTransaction(tx);
    return this.connection.sendRawTransaction(signed.serialize(), { preflightCommitment: 'confirmed' });
  }

  async transactionState(signature: string): Promise<TransactionState> {
    const { value } = await this.connection.getSignatureStatuses([signature], { searchTransactionHistory: true });
    const status = value[0];
    if (!status) return 'pending';
    if (status.err) return 'failed';
    return status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized' ? 'confirmed' : 'pending';
  }
}
