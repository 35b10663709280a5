/**
 * End to end against the real program: poc-localchain hosts it natively in
 * solana-program-test's bank and this drives it through @solana/web3.js + Anchor over
 * JSON-RPC, exactly as against a cluster. SOLANA_RPC_URL switches to a real validator.
 */
import { startChain, type LocalChain } from '@poc/devnet/chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js';
import { getAccount, getMint } from '@solana/spl-token';
import { buildRewardsMerkleTree, ed25519Sign, PocNetworkClient } from '@poc/sdk';
import type { Region } from '@poc/protocol';

const CELL = '8c2a100d2c4c1ff';
const EPOCH_SECS = 2;

let chain: LocalChain;
const admin = Keypair.generate();
const oracle = Keypair.generate();
const maker = Keypair.generate();
const owner = Keypair.generate();
const hotspot = Keypair.generate();
let adminClient: PocNetworkClient;
let oracleClient: PocNetworkClient;
let ownerClient: PocNetworkClient;

async function fund(client: PocNetworkClient, key: PublicKey, sol: number) {
  const sig = await client.connection.requestAirdrop(key, sol * LAMPORTS_PER_SOL);
  const bh = await client.connection.getLatestBlockhash();
  await client.connection.confirmTransaction({ signature: sig, ...bh }, 'confirmed');
}

async function expectRejected(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).not.toBeNull();
  const e = err as { error?: { errorCode?: { code?: string } }; message?: string };
  expect(e.error?.errorCode?.code ?? e.message).toContain(code);
}

beforeAll(async () => {
  chain = await startChain({ upgradeAuthority: admin.publicKey });
  const opts = { wsUrl: chain.wsUrl };
  adminClient = PocNetworkClient.connect(chain.rpcUrl, admin, opts);
  oracleClient = PocNetworkClient.connect(chain.rpcUrl, oracle, opts);
  ownerClient = PocNetworkClient.connect(chain.rpcUrl, owner, opts);
  for (const k of [admin, oracle, maker, owner]) await fund(adminClient, k.publicKey, 10);
}, 900_000);

afterAll(async () => {
  for (const client of [adminClient, oracleClient, ownerClient]) client?.close();
  await chain?.stop();
});

const NETWORK = {
  oracle: oracle.publicKey,
  epochLengthSecs: EPOCH_SECS,
  initialEpochEmission: 1_000_000_000n,
  halvingIntervalEpochs: 100,
  onboardingFeeLamports: 20_000_000n,
  locationFeeLamports: 5_000_000n,
};

describe('poc-network on the local chain', () => {
  it('initialises the network with a PDA reward mint, only by the upgrade authority', async () => {
    await expectRejected(ownerClient.initializeNetwork({ ...NETWORK, oracle: owner.publicKey }), 'NotUpgradeAuthority');
    const net = await adminClient.ensureNetwork(NETWORK);
    expect(net.admin.equals(admin.publicKey)).toBe(true);
    expect(net.oracle.equals(oracle.publicKey)).toBe(true);
    const mint = await getMint(adminClient.connection, net.rewardMint);
    expect(mint.decimals).toBe(6);
    expect(mint.mintAuthority?.equals(adminClient.pdas.network())).toBe(true);
    await adminClient.approveMaker(maker.publicKey);
    expect((await adminClient.fetchMaker(maker.publicKey))?.authority.equals(maker.publicKey)).toBe(true);
  });

  it('rejects a forged possession proof', async () => {
    const msg = ownerClient.onboardMessage(hotspot.publicKey, owner.publicKey, maker.publicKey);
    const forged = ed25519Sign(Keypair.generate().secretKey, msg);
    await expect(
      ownerClient.onboardHotspot({ hotspotKey: hotspot.publicKey, possessionSignature: forged, owner, makerAuthority: maker, region: 'EU868' }),
    ).rejects.toThrow();
    expect(await ownerClient.fetchHotspot(hotspot.publicKey)).toBeNull();
  });

  it('onboards a hotspot and asserts its location', async () => {
    const treasuryBefore = await ownerClient.connection.getBalance(ownerClient.pdas.treasury());
    const msg = ownerClient.onboardMessage(hotspot.publicKey, owner.publicKey, maker.publicKey);
    // The owner accepts at most a fee below the current one: refused.
    await expectRejected(
      ownerClient.onboardHotspot({ hotspotKey: hotspot.publicKey, possessionSignature: ed25519Sign(hotspot.secretKey, msg), owner, makerAuthority: maker, region: 'EU868', maxFeeLamports: 19_999_999n }),
      'FeeAboveMaximum',
    );
    const sig = await ownerClient.onboardHotspot({
      hotspotKey: hotspot.publicKey,
      possessionSignature: ed25519Sign(hotspot.secretKey, msg),
      owner,
      makerAuthority: maker,
      region: 'EU868',
    });
    const events = await ownerClient.eventsOf(sig);
    expect(events.map((e) => e.name)).toContain('hotspotOnboarded');
    expect(events.find((e) => e.name === 'hotspotOnboarded')?.data.region).toBe(0);
    expect((await ownerClient.fetchHotspot(hotspot.publicKey))?.region).toBe('EU868');

    // A region this build does not know never reaches the chain.
    await expect(
      ownerClient.assertLocation({ hotspotKey: hotspot.publicKey, location: CELL, gainDdbi: 55, elevationM: 12, region: 'XX915' as Region, owner }),
    ).rejects.toThrow(/unknown region "XX915"/);
    const located = await ownerClient.assertLocation({ hotspotKey: hotspot.publicKey, location: CELL, gainDdbi: 55, elevationM: 12, region: 'US915', owner });
    expect((await ownerClient.eventsOf(located)).find((e) => e.name === 'locationAsserted')?.data.region).toBe(1);
    const h = await ownerClient.fetchHotspot(hotspot.publicKey);
    expect([h?.region, h?.regionCode]).toEqual(['US915', 1]);
    expect(h?.owner.equals(owner.publicKey)).toBe(true);
    expect(h?.maker.equals(maker.publicKey)).toBe(true);
    expect(h?.locationH3).toBe(CELL);
    expect([h?.gainDdbi, h?.elevationM, h?.locationAsserts]).toEqual([55, 12, 1]);
    expect(await ownerClient.connection.getBalance(ownerClient.pdas.treasury())).toBe(treasuryBefore + 25_000_000);

    const mirror = await oracleClient.fetchAllHotspots();
    expect(mirror.map((x) => x.hotspotKey.toBase58())).toContain(hotspot.publicKey.toBase58());
    expect(await oracleClient.fetchAllHotspots({ owner: maker.publicKey })).toEqual([]);
    expect((await oracleClient.fetchAllHotspots({ owner: owner.publicKey })).length).toBe(1);
  });

  it('oracle submits an epoch root, the owner claims once', async () => {
    const other = Keypair.generate().publicKey;
    const tree = buildRewardsMerkleTree([
      { hotspotKey: hotspot.publicKey.toBytes(), cumulative: 250_000_000n },
      { hotspotKey: other.toBytes(), cumulative: 100_000_000n },
    ]);
    const net = (await oracleClient.fetchNetwork())!;
    expect(net.genesisTs % BigInt(EPOCH_SECS)).toBe(0n);
    expect(net.genesisEpoch).toBe(net.genesisTs / BigInt(EPOCH_SECS));
    // The oracle numbers epochs by wall clock; submit the second one so chain epoch 0 gets filled.
    const oracleEpoch = net.genesisEpoch + 1n;
    const epochEnd = Number(net.genesisTs) + 2 * EPOCH_SECS;
    const wait = epochEnd * 1000 - Date.now() + 1100;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    // The epoch runner's ChainWriter path: send, then poll the state.
    expect(await oracleClient.getEpochRoot(oracleEpoch)).toBeNull();
    const sig = await oracleClient.submitRewardsRoot({ epoch: oracleEpoch, root: tree.root, leafCount: 2, totalCumulative: tree.totalCumulative });
    let state = await oracleClient.transactionState(sig);
    for (let i = 0; state === 'pending' && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await oracleClient.transactionState(sig);
    }
    expect(state).toBe('confirmed');
    expect(Buffer.from((await oracleClient.getEpochRoot(oracleEpoch))!).equals(Buffer.from(tree.root))).toBe(true);
    expect(Buffer.from((await oracleClient.getEpochRoot(net.genesisEpoch))!).equals(Buffer.alloc(32))).toBe(true);
    expect(await oracleClient.toChainEpoch(oracleEpoch)).toBe(1n);
    const epochs = await oracleClient.fetchAllEpochs();
    expect(epochs.map((e) => [e.epoch, e.epochAmount])).toEqual([
      [0n, 0n],
      [1n, 350_000_000n],
    ]);

    // Only the oracle may submit.
    await expectRejected(
      ownerClient.submitEpochRewards({ epoch: 2n, root: tree.root, cumulativeTotal: tree.totalCumulative }),
      'WrongOracle',
    );

    // Nobody but the owner can claim (or make anyone else pay for the claim).
    await expectRejected(
      oracleClient.claimRewards({ hotspotKey: hotspot.publicKey, epoch: 1n, cumulative: 250_000_000n, proof: tree.proof(hotspot.publicKey.toBytes())! }),
      'NotHotspotOwner',
    );
    const ownerLamports = await ownerClient.connection.getBalance(owner.publicKey);
    const claimSig = await ownerClient.claimRewards({
      hotspotKey: hotspot.publicKey,
      epoch: 1n,
      cumulative: 250_000_000n,
      proof: tree.proof(hotspot.publicKey.toBytes())!,
    });
    expect(await ownerClient.rewardBalance(owner.publicKey)).toBe(250_000_000n);
    const ata = await getAccount(ownerClient.connection, ownerClient.pdas.rewardTokenAccount(owner.publicKey));
    expect(ata.amount).toBe(250_000_000n);
    expect(ata.owner.equals(owner.publicKey)).toBe(true);
    const claimed = (await ownerClient.eventsOf(claimSig)).find((e) => e.name === 'rewardsClaimed');
    expect(claimed?.data.amount?.toString()).toBe('250000000');
    // The owner paid the fee and its token account's rent.
    const ataRent = await ownerClient.connection.getBalance(ownerClient.pdas.rewardTokenAccount(owner.publicKey));
    const fee = (await ownerClient.connection.getTransaction(claimSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }))?.meta?.fee;
    expect(fee).toBeGreaterThan(0);
    expect(await ownerClient.connection.getBalance(owner.publicKey)).toBe(ownerLamports - ataRent - fee!);

    // A second claim pays nothing.
    await expectRejected(
      ownerClient.claimRewards({ hotspotKey: hotspot.publicKey, epoch: 1n, cumulative: 250_000_000n, proof: tree.proof(hotspot.publicKey.toBytes())! }),
      'NothingToClaim',
    );
    expect(await ownerClient.rewardBalance(owner.publicKey)).toBe(250_000_000n);
    // An inflated amount does not verify.
    await expectRejected(
      ownerClient.claimRewards({ hotspotKey: hotspot.publicKey, epoch: 1n, cumulative: 300_000_000n, proof: tree.proof(hotspot.publicKey.toBytes())! }),
      'InvalidMerkleProof',
    );
    const after = await oracleClient.fetchNetwork();
    expect([after?.nextEpoch, after?.totalEmitted, after?.totalClaimed]).toEqual([2n, 350_000_000n, 250_000_000n]);

    // A later epoch lowers the hotspot's total (a correction): the superseded root pays nothing more.
    const corrected = buildRewardsMerkleTree([
      { hotspotKey: hotspot.publicKey.toBytes(), cumulative: 200_000_000n },
      { hotspotKey: other.toBytes(), cumulative: 150_000_000n },
    ]);
    const end2 = (Number(net.genesisTs) + 3 * EPOCH_SECS) * 1000 - Date.now() + 1100;
    if (end2 > 0) await new Promise((r) => setTimeout(r, end2));
    await oracleClient.submitEpochRewards({ epoch: 2n, root: corrected.root, cumulativeTotal: corrected.totalCumulative });
    await expectRejected(
      ownerClient.claimRewards({ hotspotKey: hotspot.publicKey, epoch: 1n, cumulative: 250_000_000n, proof: tree.proof(hotspot.publicKey.toBytes())! }),
      'StaleEpochRoot',
    );
  });

  it('rotates the oracle, and hands the admin role on in two steps', async () => {
    const newOracle = Keypair.generate();
    const newAdmin = Keypair.generate();
    await fund(adminClient, newAdmin.publicKey, 1);
    const newAdminClient = PocNetworkClient.connect(chain.rpcUrl, newAdmin, { wsUrl: chain.wsUrl });
    await expectRejected(ownerClient.rotateOracle(owner.publicKey), 'Unauthorized');
    await adminClient.rotateOracle(newOracle.publicKey);
    expect((await adminClient.fetchNetwork())?.oracle.equals(newOracle.publicKey)).toBe(true);

    await expectRejected(ownerClient.proposeAdmin(owner.publicKey), 'Unauthorized');
    await adminClient.proposeAdmin(newAdmin.publicKey);
    expect((await adminClient.fetchNetwork())?.pendingAdmin?.equals(newAdmin.publicKey)).toBe(true);
    await expectRejected(ownerClient.acceptAdmin(), 'NotPendingAdmin');
    await newAdminClient.acceptAdmin();
    const net = (await adminClient.fetchNetwork())!;
    expect([net.admin.toBase58(), net.pendingAdmin]).toEqual([newAdmin.publicKey.toBase58(), null]);
    await expectRejected(adminClient.updateFees({ onboardingFeeLamports: 0n, locationFeeLamports: 0n }), 'Unauthorized');
    await newAdminClient.updateFees({ onboardingFeeLamports: 1n, locationFeeLamports: 2n });
    expect((await adminClient.fetchNetwork())?.onboardingFeeLamports).toBe(1n);
    newAdminClient.close();
  });
});
