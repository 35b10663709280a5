import { Keypair, PublicKey } from '@solana/web3.js';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridgeApi } from '@poc/hotspot-firmware-bridge';
import { generateHotspotKeypair } from '@poc/protocol';
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { ed25519Sign } from '@poc/sdk';
import { rewardProof } from '@poc/oracle';
import { registerMakerDevices } from '../src/onboarding/maker-devices';
import { OnboardingService } from '../src/onboarding/service';
import { buildMapperServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

let db: TestDatabase;
let net: DevNetwork;
let bridge: FastifyInstance;
let bridgeUrl: string;
let app: FastifyInstance;
const hotspot = generateHotspotKeypair();
const owner = Keypair.generate();

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 1, initialEpochEmission: 1_000_000_000n });
  await registerMakerDevices(db.sql, { maker: net.maker.publicKey.toBase58(), batch: 'test', hotspots: [hotspot.address] });
  // The real bridge API, holding the hotspot key; only its pairing and /onboarding/sign routes are used here.
  bridge = buildBridgeApi({ keypair: hotspot, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never });
  bridgeUrl = await bridge.listen({ host: '127.0.0.1', port: 0 });
  app = await buildMapperServer({
    sql: db.sql,
    coverageIndex: false,
    onboarding: new OnboardingService({ rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Test maker', airdropSol: 2, clusterName: 'local chain' }),
    bridgeApiUrl: bridgeUrl,
  });
}, 600_000);
afterAll(async () => {
  await app?.close();
  await bridge?.close();
  await net?.stop();
  await db?.drop();
});

const post = async (url: string, body: unknown) => {
  const r = await app.inject({ method: 'POST', url, payload: body as object });
  return { status: r.statusCode, body: r.json() };
};
const parties = () => ({ owner: owner.publicKey.toBase58(), hotspot: hotspot.address, maker: net.maker.publicKey.toBase58() });

describe('onboarding endpoints against the local chain', () => {
  it('describes the network, the maker and the fees', async () => {
    const r = await app.inject({ url: '/api/v1/onboarding/config' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ cluster: 'local chain', wallet_chain: 'solana:localnet', makers: [{ name: 'Test maker', authority: net.maker.publicKey.toBase58() }], airdrop_sol: 2, bridge_url: bridgeUrl });
  });

  it('refuses an empty wallet with insufficient_funds and lists the fees', async () => {
    const r = await post('/api/v1/onboarding/preflight', parties());
    expect(r.status).toBe(402);
    expect(r.body.error).toBe('insufficient_funds');
    expect(r.body.message).toMatch(/holds 0\.000000 SOL but onboarding needs/);
    expect(r.body.details.fees.items.length).toBe(4);
  });

  it('refuses an unknown maker and a malformed hotspot key specifically', async () => {
    const other = Keypair.generate().publicKey.toBase58();
    expect((await post('/api/v1/onboarding/preflight', { ...parties(), maker: other })).body.error).toBe('unknown_maker');
    expect((await post('/api/v1/onboarding/preflight', { ...parties(), hotspot: 'x'.repeat(40) })).body.error).toBe('invalid_hotspot_key');
  });

  it('onboards: airdrop, preflight, possession (pairing code at the bridge), maker-signed transaction, owner signature, confirmation', async () => {
    expect((await post('/api/v1/onboarding/airdrop', { owner: owner.publicKey.toBase58() })).status).toBe(200);
    const pre = await post('/api/v1/onboarding/preflight', parties());
    expect(pre.status).toBe(200);
    expect(BigInt(pre.body.fees.total_lamports)).toBeGreaterThan(0n);
    // The owner's browser asks the bridge with the code the hotspot shows; this server is not involved.
    const { code } = (await bridge.inject({ method: 'POST', url: '/onboarding/pairing-code' })).json();
    const possession = await bridge.inject({
      method: 'POST',
      url: '/onboarding/sign',
      payload: { owner: owner.publicKey.toBase58(), maker: net.maker.publicKey.toBase58(), programId: net.adminClient.programId.toBase58(), hotspot: hotspot.address, code },
    });
    expect(possession.statusCode).toBe(200);
    const proof = { body: { signature: possession.json().signatureBase64 as string } };
    const h3 = latLngToCell(52.3702, 4.8952, 12);
    const check = await post('/api/v1/onboarding/location-check', { lat: 52.3702, lng: 4.8952 });
    expect(check.body).toMatchObject({ h3, region: 'EU868', country: 'NL', warnings: [] });
    const sea = await post('/api/v1/onboarding/location-check', { lat: 54.5, lng: 3.0 });
    expect(sea.body).toMatchObject({ region: null, country: null });
    expect(sea.body.warnings.map((w: { code: string }) => w.code)).toEqual(['no_region', 'in_water']);
    // The region goes on chain with the location: a cell that is no res-12 H3 cell, or one at sea (no plan), is refused before any transaction.
    const notACell = await post('/api/v1/onboarding/transaction', { ...parties(), signature: proof.body.signature, h3: 'fffffffffffffff', gain_dbi: 3.5, elevation_m: 12 });
    expect([notACell.status, notACell.body.error]).toEqual([400, 'bad_location']);
    const atSea = await post('/api/v1/onboarding/transaction', { ...parties(), signature: proof.body.signature, h3: latLngToCell(0, -140, 12), gain_dbi: 3.5, elevation_m: 12 });
    expect([atSea.status, atSea.body.error]).toEqual([400, 'no_region']);
    // Signed for at most less than the current fee (as if the admin raised it after review): the chain refuses it.
    const belowFee = (BigInt(pre.body.fees.onboarding_fee_lamports) - 1n).toString();
    const capped = await post('/api/v1/onboarding/transaction', { ...parties(), signature: proof.body.signature, h3, gain_dbi: 3.5, elevation_m: 12, max_fee_lamports: belowFee });
    expect(capped.status).toBe(200);
    const cappedSignature = ed25519Sign(owner.secretKey, Buffer.from(capped.body.message, 'base64'));
    const refused = await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: capped.body.transaction, owner_signature: Buffer.from(cappedSignature).toString('base64') });
    expect([refused.status, refused.body.error]).toEqual([409, 'fee_changed']);
    const prepared = await post('/api/v1/onboarding/transaction', { ...parties(), signature: proof.body.signature, h3, gain_dbi: 3.5, elevation_m: 12, max_fee_lamports: pre.body.fees.onboarding_fee_lamports });
    expect(prepared.status).toBe(200);
    expect(prepared.body.region).toBe('EU868');
    const ownerSignature = ed25519Sign(owner.secretKey, Buffer.from(prepared.body.message, 'base64'));
    const bad = await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ed25519Sign(Keypair.generate().secretKey, Buffer.from(prepared.body.message, 'base64'))).toString('base64') });
    expect(bad.body.error).toBe('invalid_owner_signature');
    const sent = await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ownerSignature).toString('base64') });
    expect(sent.status).toBe(200);
    const account = await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey));
    expect(account?.owner.toBase58()).toBe(owner.publicKey.toBase58());
    expect(account?.locationH3).toBe(h3);
    expect(account?.gainDdbi).toBe(35);
    expect([account?.region, account?.regionCode]).toEqual(['EU868', 0]);
    const again = await post('/api/v1/onboarding/preflight', parties());
    expect(again.body.error).toBe('already_onboarded');
    expect(again.body.message).toMatch(/to your wallet/);
  });

  it("lists the owner's rewards; the owner signs and pays the claim, the maker pays nothing", async () => {
    const before = (await app.inject({ url: `/api/v1/onboarding/rewards?owner=${owner.publicKey.toBase58()}` })).json();
    expect(before).toMatchObject({ epoch: null, token_balance: '0', hotspots: [{ hotspot: hotspot.address, claimable: '0' }] });
    expect((await post('/api/v1/onboarding/claim', { owner: owner.publicKey.toBase58(), hotspot: hotspot.address })).body.error).toBe('nothing_to_claim');
    // The oracle computed the wall-clock epoch of chain epoch 0 and the chain confirmed its root.
    const epoch = net.network.genesisEpoch;
    await db.sql`INSERT INTO epochs (epoch, start_at, end_at, status, emission, total_paid) VALUES (${String(epoch)}::bigint, now() - interval '1 minute', now(), 'computed', 1000000000, 5000000)`;
    await db.sql`INSERT INTO epoch_rewards (epoch, hotspot, beacon_shares, witness_shares, amount, cumulative) VALUES (${String(epoch)}::bigint, ${hotspot.address}, 1, 0, 5000000, 5000000)`;
    const proof = (await rewardProof(db.sql, hotspot.address, epoch))!;
    // Chain epoch 0 can only be submitted once it has ended (genesis + one epoch length, by the chain's clock).
    const epochEndMs = Number(net.network.genesisTs + net.network.epochLengthSecs) * 1000;
    if (Date.now() < epochEndMs + 1100) await new Promise((r) => setTimeout(r, epochEndMs + 1100 - Date.now()));
    await net.oracleClient.submitEpochRewards({ epoch: 0n, root: new Uint8Array(proof.root), cumulativeTotal: 5_000_000n });
    await db.sql`UPDATE epochs SET status = 'confirmed' WHERE epoch = ${String(epoch)}::bigint`;
    const someoneElse = Keypair.generate().publicKey.toBase58();
    expect((await post('/api/v1/onboarding/claim', { owner: someoneElse, hotspot: hotspot.address })).body.error).toBe('not_hotspot_owner');
    const listed = (await app.inject({ url: `/api/v1/onboarding/rewards?owner=${owner.publicKey.toBase58()}` })).json();
    expect(listed.hotspots[0]).toMatchObject({ earned: '5000000', claimed: '0', claimable: '5000000' });

    const makerBefore = await net.adminClient.connection.getBalance(net.maker.publicKey);
    const ownerBefore = await net.adminClient.connection.getBalance(owner.publicKey);
    const prepared = await post('/api/v1/onboarding/claim', { owner: owner.publicKey.toBase58(), hotspot: hotspot.address });
    expect(prepared.status).toBe(200);
    expect(prepared.body).toMatchObject({ epoch: 0, claimable: '5000000' });
    // Nothing is claimed until the owner signs.
    expect((await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey)))?.claimed).toBe(0n);
    const ownerSignature = ed25519Sign(owner.secretKey, Buffer.from(prepared.body.message, 'base64'));
    const claimed = await post('/api/v1/onboarding/claim/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ownerSignature).toString('base64') });
    expect(claimed.status).toBe(200);
    expect(claimed.body.token_balance).toBe('5000000');
    expect(await net.adminClient.connection.getBalance(net.maker.publicKey)).toBe(makerBefore);
    const rent = await net.adminClient.connection.getBalance(net.adminClient.pdas.rewardTokenAccount(owner.publicKey));
    expect(ownerBefore - (await net.adminClient.connection.getBalance(owner.publicKey))).toBeGreaterThan(rent);
    const twice = await post('/api/v1/onboarding/claim', { owner: owner.publicKey.toBase58(), hotspot: hotspot.address });
    expect(twice.body.error).toBe('nothing_to_claim');
  });

  it('says wrong_network when the chain has no PoC network for the configured program', async () => {
    const elsewhere = await buildMapperServer({
      sql: db.sql,
      coverageIndex: false,
      onboarding: new OnboardingService({ rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, programId: Keypair.generate().publicKey.toBase58(), clusterName: 'local chain' }),
    });
    const r = await elsewhere.inject({ method: 'POST', url: '/api/v1/onboarding/preflight', payload: parties() });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toBe('wrong_network');
    expect(r.json().message).toMatch(/no PoC network is configured on local chain/);
    await elsewhere.close();
  });

  it('answers chain_not_configured when the server has no chain', async () => {
    const bare = await buildMapperServer({ sql: db.sql, coverageIndex: false });
    const r = await bare.inject({ url: '/api/v1/onboarding/config' });
    expect(r.statusCode).toBe(503);
    expect(r.json().error).toBe('chain_not_configured');
    await bare.close();
  });
});
