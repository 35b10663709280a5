/**
 * A device owner's mapping reward reaches his wallet through the existing claim (oracle/README.md §Mapping rewards,
 * Recipients): the oracle computes an epoch with mapper frames on real PostgreSQL, submits its root to the real
 * program on the local chain, and the owner claims with his payout hotspot's proof. No program change is involved.
 */
import { startChain, type LocalChain } from '@poc/devnet/chain';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { advanceSubmission, computeEpoch, rewardProof, upsertHotspots } from '@poc/oracle';
import { encodeHotspotAddress, generateHotspotKeypair } from '@poc/protocol';
import { ed25519Sign, PocNetworkClient } from '@poc/sdk';
import { Keypair, LAMPORTS_PER_SOL, type PublicKey } from '@solana/web3.js';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const EPOCH_SECS = 2;
const EMISSION = 1_000_000_000n;

let chain: LocalChain;
let db: TestDatabase;
const admin = Keypair.generate();
const oracle = Keypair.generate();
const maker = Keypair.generate();
const owner = Keypair.generate(); // owns the mapper device and one hotspot (his payout hotspot)
const payout = Keypair.generate();
const carrier = generateHotspotKeypair().address; // someone else's hotspot, which hears the device
let adminClient: PocNetworkClient;
let oracleClient: PocNetworkClient;
let ownerClient: PocNetworkClient;

async function fund(key: PublicKey) {
  const sig = await adminClient.connection.requestAirdrop(key, 10 * LAMPORTS_PER_SOL);
  const bh = await adminClient.connection.getLatestBlockhash();
  await adminClient.connection.confirmTransaction({ signature: sig, ...bh }, 'confirmed');
}

beforeAll(async () => {
  [chain, db] = await Promise.all([startChain({ upgradeAuthority: admin.publicKey }), createTestDatabase()]);
  const opts = { wsUrl: chain.wsUrl };
  adminClient = PocNetworkClient.connect(chain.rpcUrl, admin, opts);
  oracleClient = PocNetworkClient.connect(chain.rpcUrl, oracle, opts);
  ownerClient = PocNetworkClient.connect(chain.rpcUrl, owner, opts);
  for (const k of [admin, oracle, maker, owner]) await fund(k.publicKey);
  await adminClient.ensureNetwork({
    oracle: oracle.publicKey,
    epochLengthSecs: EPOCH_SECS,
    initialEpochEmission: EMISSION,
    halvingIntervalEpochs: 100,
    onboardingFeeLamports: 20_000_000n,
    locationFeeLamports: 5_000_000n,
  });
  await adminClient.approveMaker(maker.publicKey);
  const msg = ownerClient.onboardMessage(payout.publicKey, owner.publicKey, maker.publicKey);
  await ownerClient.onboardHotspot({ hotspotKey: payout.publicKey, possessionSignature: ed25519Sign(payout.secretKey, msg), owner, makerAuthority: maker, region: 'EU868' });
}, 900_000);

afterAll(async () => {
  for (const client of [adminClient, oracleClient, ownerClient]) client?.close();
  await Promise.all([chain?.stop(), db?.drop()]);
});

describe('mapping rewards on chain', () => {
  it("the device owner claims his mapping amount with his payout hotspot's proof", async () => {
    const payoutAddress = encodeHotspotAddress(payout.publicKey.toBytes());
    await upsertHotspots(db.sql, [
      { address: payoutAddress, name: 'payout', region: 'EU868', locationH3: latLngToCell(52.52, 13.405, 12), gainDdbi: 12 },
      { address: carrier, name: 'carrier', region: 'EU868', locationH3: latLngToCell(52.523, 13.412, 12), gainDdbi: 12 },
    ]);
    await db.sql`UPDATE hotspots SET owner = ${owner.publicKey.toBase58()} WHERE address = ${payoutAddress}`;
    await db.sql`UPDATE hotspots SET owner = ${Keypair.generate().publicKey.toBase58()} WHERE address = ${carrier}`;
    await db.sql`INSERT INTO mapper_devices (device_id, owner, sealed_key, registration_signature, issued_at)
                 VALUES (7, ${owner.publicKey.toBase58()}, ${Buffer.alloc(76)}, ${Buffer.alloc(64)}, now())`;

    const net = (await oracleClient.fetchNetwork())!;
    const epoch = net.genesisEpoch + 1n; // the oracle numbers epochs by wall clock (programs/README.md)
    const heardAt = new Date(Number(epoch) * EPOCH_SECS * 1000 + 500);
    const frame = Buffer.from([0xe0, 0x4d, 0x00, 0x07]);
    await db.sql`
      INSERT INTO mapper_frames (id, frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
      VALUES (1, ${frame}, 7, 1, 52.53, 13.43, ${latLngToCell(52.53, 13.43, 9)}, 9, 9, ${heardAt}, 'plausible', 1, 1)`;
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency, datarate, payload, status, frame_id)
      VALUES ('r1', ${carrier}, 't', ${heardAt}, ${frame}, 7, 0, 0, 0, -900, 50, 868100000, 'SF9BW125', ${Buffer.from([0])}, 'valid', 1)`;

    const wait = Number(epoch + 1n) * EPOCH_SECS * 1000 - Date.now() + 1100;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    expect(await computeEpoch(db.sql, epoch, { epochSeconds: EPOCH_SECS, emissionPerEpoch: EMISSION })).toBe('computed');
    let step = await advanceSubmission(db.sql, oracleClient);
    for (let i = 0; step?.status !== 'confirmed' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      step = await advanceSubmission(db.sql, oracleClient);
    }
    expect(step).toMatchObject({ epoch, status: 'confirmed' });

    // Mapping pool ⌊640 000 000 / 10⌋ = 64 000 000: half to the carrier, half to the owner through his payout hotspot.
    const proof = (await rewardProof(db.sql, payoutAddress, epoch))!;
    expect(proof.cumulative).toBe(32_000_000n);
    expect((await rewardProof(db.sql, carrier, epoch))!.cumulative).toBe(32_000_000n);
    await ownerClient.claimRewards({ hotspotKey: payout.publicKey, epoch: await ownerClient.toChainEpoch(epoch), cumulative: proof.cumulative, proof: proof.proof });
    expect(await ownerClient.rewardBalance(owner.publicKey)).toBe(32_000_000n);
  });
});
