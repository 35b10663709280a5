import { Keypair, PublicKey } from '@solana/web3.js';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridgeApi } from '../../hotspot-firmware-bridge/src/api';
import { generateHotspotKeypair } from '../../hotspot-firmware-bridge/src/wire/keys';
import { startDevNetwork, type DevNetwork } from '../../oracle/src/chain/dev-network';
import { ed25519Sign } from '../../oracle/src/chain/possession';
import { OnboardingService } from '../../mapper/src/onboarding/service';
import { buildMapperServer } from '../../mapper/src/server';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let net: DevNetwork;
let bridge: FastifyInstance;
let bridgeUrl: string;
let app: FastifyInstance;
const hotspot = generateHotspotKeypair();
const owner = Keypair.generate();

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000n });
  // The real bridge API, holding the hotspot key; only its /onboarding/sign route is used here.
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
    expect(r.json()).toMatchObject({ cluster: 'local chain', makers: [{ name: 'Test maker', authority: net.maker.publicKey.toBase58() }], airdrop_sol: 2, bridge_configured: true });
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

  it('detects the wrong hotspot answering on the bridge', async () => {
    const someoneElse = generateHotspotKeypair();
    const r = await post('/api/v1/onboarding/possession', { ...parties(), hotspot: someoneElse.address });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('wrong_hotspot');
  });

  it('onboards: airdrop, preflight, possession, maker-signed transaction, owner signature, confirmation', async () => {
    expect((await post('/api/v1/onboarding/airdrop', { owner: owner.publicKey.toBase58() })).status).toBe(200);
    const pre = await post('/api/v1/onboarding/preflight', parties());
    expect(pre.status).toBe(200);
    expect(BigInt(pre.body.fees.total_lamports)).toBeGreaterThan(0n);
    const proof = await post('/api/v1/onboarding/possession', parties());
    expect(proof.status).toBe(200);
    const h3 = latLngToCell(52.3702, 4.8952, 12);
    const check = await post('/api/v1/onboarding/location-check', { lat: 52.3702, lng: 4.8952 });
    expect(check.body).toMatchObject({ h3, warnings: [] });
    const sea = await post('/api/v1/onboarding/location-check', { lat: 54.5, lng: 3.0 });
    expect(sea.body.warnings.map((w: { code: string }) => w.code)).toEqual(['in_water']);
    const prepared = await post('/api/v1/onboarding/transaction', { ...parties(), signature: proof.body.signature, h3, gain_dbi: 3.5, elevation_m: 12 });
    expect(prepared.status).toBe(200);
    const ownerSignature = ed25519Sign(owner.secretKey, Buffer.from(prepared.body.message, 'base64'));
    const bad = await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ed25519Sign(Keypair.generate().secretKey, Buffer.from(prepared.body.message, 'base64'))).toString('base64') });
    expect(bad.body.error).toBe('invalid_owner_signature');
    const sent = await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ownerSignature).toString('base64') });
    expect(sent.status).toBe(200);
    const account = await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey));
    expect(account?.owner.toBase58()).toBe(owner.publicKey.toBase58());
    expect(account?.locationH3).toBe(h3);
    expect(account?.gainDbiX10).toBe(35);
    const again = await post('/api/v1/onboarding/preflight', parties());
    expect(again.body.error).toBe('already_onboarded');
    expect(again.body.message).toMatch(/to your wallet/);
  });

  it('answers chain_not_configured when the server has no chain', async () => {
    const bare = await buildMapperServer({ sql: db.sql, coverageIndex: false });
    const r = await bare.inject({ url: '/api/v1/onboarding/config' });
    expect(r.statusCode).toBe(503);
    expect(r.json().error).toBe('chain_not_configured');
    await bare.close();
  });
});
