/**
 * Attack: unlimited fake hotspots. Anyone can generate Ed25519 keys and sign the possession message with them; if the
 * maker's onboarding server co-signs any key it is shown, anyone creates hotspots for the fee. The maker must co-sign
 * only the keys it manufactured (its device list), never a revoked one.
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHotspotKeypair, onboardingMessage, signBytes, type HotspotKeypair } from '@poc/protocol';
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { ed25519Sign } from '@poc/sdk';
import * as mapperPackage from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

const { startMapper } = mapperPackage;
// The factory's side of the maker (absent before the fix, hence read off the namespace).
const { registerMakerDevices, revokeMakerDevices, findMakerDevice } = mapperPackage as unknown as {
  registerMakerDevices: (sql: TestDatabase['sql'], input: { maker: string; batch: string; hotspots: string[] }) => Promise<unknown>;
  revokeMakerDevices: (sql: TestDatabase['sql'], input: { maker: string; hotspots: string[]; reason: string }) => Promise<number>;
  findMakerDevice: (sql: TestDatabase['sql'], hotspot: string) => Promise<{ status: string; owner: string | null } | null>;
};

let db: TestDatabase;
let net: DevNetwork;
let mapper: Awaited<ReturnType<typeof startMapper>>;
const attacker = Keypair.generate();
const buyer = Keypair.generate();

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000n });
  await net.fund(attacker.publicKey, 5);
  await net.fund(buyer.publicKey, 2);
  mapper = await startMapper({
    databaseUrl: db.url,
    logger: false,
    chain: { rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Test maker', clusterName: 'local chain' },
  });
}, 900_000);
afterAll(async () => {
  await mapper?.stop();
  await net?.stop();
  await db?.drop();
});

async function post(path: string, body: unknown) {
  const r = await fetch(`${mapper.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}

/** Everything a key holder can do alone: sign the possession message, then ask the maker's server to co-sign and send. */
async function onboardThroughMaker(hotspot: HotspotKeypair, owner: Keypair) {
  const parties = { owner: owner.publicKey.toBase58(), hotspot: hotspot.address, maker: net.maker.publicKey.toBase58() };
  const message = onboardingMessage({ programId: net.adminClient.programId.toBytes(), hotspotKey: hotspot.publicKey, owner: owner.publicKey.toBytes(), maker: net.maker.publicKey.toBytes() });
  const signature = Buffer.from(signBytes(hotspot.privateKeyObject, message)).toString('base64');
  const preflight = await post('/api/v1/onboarding/preflight', parties);
  const prepared = await post('/api/v1/onboarding/transaction', { ...parties, signature, h3: latLngToCell(51.5072, -0.1276, 12), gain_dbi: 3, elevation_m: 5 });
  const sent =
    prepared.status === 200
      ? await post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ed25519Sign(owner.secretKey, Buffer.from(prepared.body.message!, 'base64'))).toString('base64') })
      : null;
  return { preflight, prepared, sent, onChain: await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey)) };
}

describe('attack: onboarding hotspots the maker never made', () => {
  it('the maker co-signs no key it did not manufacture, however valid its possession signature', async () => {
    const fakes = [generateHotspotKeypair(), generateHotspotKeypair(), generateHotspotKeypair()];
    for (const fake of fakes) {
      const { preflight, prepared, sent, onChain } = await onboardThroughMaker(fake, attacker);
      expect(onChain).toBeNull();
      expect(sent).toBeNull();
      expect(prepared.status).toBe(403);
      expect(prepared.body.error).toBe('not_maker_device');
      expect(prepared.body.transaction).toBeUndefined();
      expect(preflight.status).toBe(403);
      expect(preflight.body.error).toBe('not_maker_device');
      expect(preflight.body.message).toMatch(/not one Test maker manufactured/);
    }
  });

  it('a key registered for another maker is refused too', async () => {
    const elsewhere = generateHotspotKeypair();
    await registerMakerDevices(db.sql, { maker: Keypair.generate().publicKey.toBase58(), batch: 'other-maker-1', hotspots: [elsewhere.address] });
    const { prepared, onChain } = await onboardThroughMaker(elsewhere, attacker);
    expect(onChain).toBeNull();
    expect(prepared.body.error).toBe('not_maker_device');
  });

  it('a revoked device is refused with the reason', async () => {
    const stolen = generateHotspotKeypair();
    const maker = net.maker.publicKey.toBase58();
    await registerMakerDevices(db.sql, { maker, batch: 'batch-7', hotspots: [stolen.address] });
    expect(await revokeMakerDevices(db.sql, { maker, hotspots: [stolen.address], reason: 'shipment stolen in transit' })).toBe(1);
    const { prepared, onChain } = await onboardThroughMaker(stolen, attacker);
    expect(onChain).toBeNull();
    expect(prepared.status).toBe(403);
    expect(prepared.body.error).toBe('device_revoked');
    expect(prepared.body.message).toContain('shipment stolen in transit');
  });

  it('a hotspot the maker built is onboarded and its entry marked onboarded to the buyer', async () => {
    const made = generateHotspotKeypair();
    await registerMakerDevices(db.sql, { maker: net.maker.publicKey.toBase58(), batch: 'batch-8', hotspots: [made.address] });
    const { preflight, sent, onChain } = await onboardThroughMaker(made, buyer);
    expect(preflight.status).toBe(200);
    expect(sent?.status).toBe(200);
    expect(onChain?.owner.toBase58()).toBe(buyer.publicKey.toBase58());
    expect(await findMakerDevice(db.sql, made.address)).toMatchObject({ status: 'onboarded', owner: buyer.publicKey.toBase58() });
  });
});
