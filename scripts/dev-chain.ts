/**
 * The chain side of `npm start`: the local chain (or SOLANA_RPC_URL) with the program initialised, the fleet
 * onboarded by its owners with the maker co-signing, and locations asserted — started in the background, so the
 * map is up at once even when the first run still has to compile the local chain.
 */
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { Keypair } from '@solana/web3.js';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { FleetHotspot } from '@poc/simulator';
import type { BlockhashSource, ChainWriter, RegistryChainClient, RewardsRootSubmission } from '@poc/oracle';


const HOTSPOTS_PER_OWNER = 10;
const OWNER_FUNDING_SOL = 5;

/** Stands in for the chain until it is up: writes fail (the oracle retries), reads see an empty registry. */
export class DeferredChain implements ChainWriter, RegistryChainClient {
  network: DevNetwork | null = null;

  private oracleClient() {
    if (!this.network) throw new Error('the chain is still starting');
    return this.network.oracleClient;
  }

  getEpochRoot(epoch: bigint) {
    return this.oracleClient().getEpochRoot(epoch);
  }
  submitRewardsRoot(submission: RewardsRootSubmission) {
    return this.oracleClient().submitRewardsRoot(submission);
  }
  transactionState(signature: string) {
    return this.oracleClient().transactionState(signature);
  }
  async fetchRegistry() {
    return this.network ? this.network.oracleClient.fetchRegistry() : [];
  }
  /** Entropy mixes in the chain's latest blockhash once the chain is up (random bytes before). */
  readonly blockhash: BlockhashSource = async () => {
    if (!this.network) return randomBytes(32);
    return this.network.oracleClient.latestBlockhash();
  };
}

/** Called for each hotspot the maker onboards itself at genesis (npm start marks it in the maker's device list). */
export type OnFleetOnboarded = (address: string, owner: string) => Promise<void>;

async function onboardFleet(network: DevNetwork, hotspots: FleetHotspot[], log: Logger, onOnboarded?: OnFleetOnboarded) {
  const existing = new Set((await network.oracleClient.fetchRegistry()).map((h) => h.address));
  const pending = hotspots.filter((h) => !existing.has(h.address));
  const owners: Keypair[] = [];
  for (let i = 0; i < Math.ceil(pending.length / HOTSPOTS_PER_OWNER); i++) {
    const owner = Keypair.generate();
    await network.fund(owner.publicKey, OWNER_FUNDING_SOL);
    owners.push(owner);
  }
  for (const [i, hotspot] of pending.entries()) {
    const owner = owners[Math.floor(i / HOTSPOTS_PER_OWNER)]!;
    const client = network.clientFor(owner);
    const { hotspotKey } = await client.onboardHotspotWithKey({
      hotspotSecretKey: Buffer.from(hotspot.secretKeyHex, 'hex'),
      owner,
      makerAuthority: network.maker,
      region: hotspot.region,
    });
    await client.assertLocation({ hotspotKey, location: hotspot.h3, gainDdbi: hotspot.gainDdbi, elevationM: hotspot.elevationM, region: hotspot.region, owner });
    await onOnboarded?.(hotspot.address, owner.publicKey.toBase58());
  }
  log.info({ onboarded: pending.length, alreadyOnChain: existing.size }, 'fleet onboarded on chain');
}

export function startDevChain(options: {
  epochSeconds: number;
  emissionPerEpoch: bigint;
  hotspots: FleetHotspot[];
  /** The approved maker (default: a new key). */
  maker?: Keypair;
  onFleetOnboarded?: OnFleetOnboarded;
  log: Logger;
}) {
  const deferred = new DeferredChain();
  let stopped = false;
  const up = (async () => {
    options.log.info('starting the chain (the first run compiles the local chain, which takes several minutes)');
    const network = await startDevNetwork({ epochLengthSecs: options.epochSeconds, initialEpochEmission: options.emissionPerEpoch, maker: options.maker });
    if (stopped) {
      await network.stop();
      return null;
    }
    options.log.info({ rpcUrl: network.chain.rpcUrl, admin: network.admin.publicKey.toBase58(), maker: network.maker.publicKey.toBase58() }, 'chain up, program initialised, maker approved');
    return network;
  })();
  const ready = (async () => {
    const network = await up;
    if (!network) return null;
    await onboardFleet(network, options.hotspots, options.log, options.onFleetOnboarded);
    deferred.network = network;
    return network;
  })();
  ready.catch((error) => options.log.error({ err: error }, 'the chain did not start; rewards stay computed off-chain until it does'));
  up.catch(() => {});
  return {
    deferred,
    /** Resolves once the program is initialised and the maker approved (before the fleet is onboarded). */
    up,
    ready,
    async stop() {
      stopped = true;
      const network = await ready.catch(() => null);
      await network?.stop();
    },
  };
}
