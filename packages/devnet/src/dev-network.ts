/**
 * A ready network for development and `npm start`: a chain (poc-localchain, or SOLANA_RPC_URL),
 * funded admin / oracle / maker keys, the program initialised and the maker approved.
 */
import { Keypair, LAMPORTS_PER_SOL, type PublicKey } from '@solana/web3.js';
import { PocNetworkClient, type NetworkConfigAccount } from '@poc/sdk';
import { startChain, type LocalChain, type StartLocalChainOptions } from './localchain';

export interface DevNetworkOptions {
  epochLengthSecs: number;
  /** Reward emission of chain epoch 0, base units (6 decimals). */
  initialEpochEmission: bigint;
  /** Default: effectively never (2^62 epochs). */
  halvingIntervalEpochs?: bigint;
  onboardingFeeLamports?: bigint;
  locationFeeLamports?: bigint;
  /** Default: a new key, which the local chain records as the program's upgrade authority. On a cluster (SOLANA_RPC_URL) pass the deploying wallet. */
  admin?: Keypair;
  oracle?: Keypair;
  maker?: Keypair;
  /** SOL airdropped to each of admin, oracle and maker (local chain / devnet only). Default 100. */
  fundSol?: number;
  chain?: StartLocalChainOptions;
}

export interface DevNetwork {
  chain: LocalChain;
  admin: Keypair;
  oracle: Keypair;
  maker: Keypair;
  /** Clients whose fee payer is the named key. */
  adminClient: PocNetworkClient;
  oracleClient: PocNetworkClient;
  makerClient: PocNetworkClient;
  network: NetworkConfigAccount;
  /** The client paying with another key (e.g. a hotspot owner), on the same chain: one per key; stop() closes it. */
  clientFor(payer: Keypair): PocNetworkClient;
  /** Airdrops SOL (local chain / devnet). */
  fund(key: PublicKey, sol: number): Promise<void>;
  /** Closes every client made here (their websockets would otherwise retry the stopped chain forever), then stops the chain. */
  stop(): Promise<void>;
}

export async function startDevNetwork(options: DevNetworkOptions): Promise<DevNetwork> {
  const admin = options.admin ?? Keypair.generate();
  const chain = await startChain({ upgradeAuthority: admin.publicKey, ...options.chain });
  /** One client per payer, each with its own websocket, all closed by stop(). */
  const clients = new Map<string, PocNetworkClient>();
  const clientFor = (payer: Keypair) => {
    const key = payer.publicKey.toBase58();
    let client = clients.get(key);
    if (!client) clients.set(key, (client = PocNetworkClient.connect(chain.rpcUrl, payer, { wsUrl: chain.wsUrl })));
    return client;
  };
  const stop = async () => {
    for (const client of clients.values()) client.close();
    clients.clear();
    await chain.stop();
  };
  try {
    const oracle = options.oracle ?? Keypair.generate();
    const maker = options.maker ?? Keypair.generate();
    const adminClient = clientFor(admin);
    const fund = async (key: PublicKey, sol: number) => {
      const signature = await adminClient.connection.requestAirdrop(key, Math.round(sol * LAMPORTS_PER_SOL));
      const blockhash = await adminClient.connection.getLatestBlockhash();
      await adminClient.connection.confirmTransaction({ signature, ...blockhash }, 'confirmed');
    };
    for (const key of [admin, oracle, maker]) {
      const balance = await adminClient.connection.getBalance(key.publicKey);
      if (balance < LAMPORTS_PER_SOL) await fund(key.publicKey, options.fundSol ?? 100);
    }
    const network = await adminClient.ensureNetwork({
      oracle: oracle.publicKey,
      epochLengthSecs: options.epochLengthSecs,
      initialEpochEmission: options.initialEpochEmission,
      halvingIntervalEpochs: options.halvingIntervalEpochs ?? 1n << 62n,
      onboardingFeeLamports: options.onboardingFeeLamports ?? 10_000_000n,
      locationFeeLamports: options.locationFeeLamports ?? 1_000_000n,
    });
    if (!(await adminClient.fetchMaker(maker.publicKey))) await adminClient.approveMaker(maker.publicKey);
    return {
      chain,
      admin,
      oracle,
      maker,
      adminClient,
      oracleClient: clientFor(oracle),
      makerClient: clientFor(maker),
      network,
      clientFor,
      fund,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
