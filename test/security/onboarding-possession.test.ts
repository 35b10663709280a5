/**
 * Attack: taking an operator's hotspot without holding it. The possession proof (the hotspot's signature over
 * program ‖ hotspot ‖ owner ‖ maker) must come from the person who has the device, never from a server or an API
 * anyone can call; refusals must not name the hotspot to someone who has not proven possession.
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridgeApi, runCli } from '@poc/hotspot-firmware-bridge';
import { generateHotspotKeypair } from '@poc/protocol';
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { ed25519Sign } from '@poc/sdk';
import { registerMakerDevices, startMapper } from '@poc/mapper';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

const APP_ORIGIN = 'http://127.0.0.1:8080';
const hotspot = generateHotspotKeypair();
const operator = Keypair.generate();
const attacker = Keypair.generate();
let clock = Date.now();

let db: TestDatabase;
let net: DevNetwork;
let bridge: FastifyInstance;
let bridgeUrl: string;
let bridgePort: number;
let mapper: Awaited<ReturnType<typeof startMapper>>;

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000n });
  await net.fund(operator.publicKey, 2);
  await net.fund(attacker.publicKey, 2);
  // A genuine hotspot of this maker: only its possession proof stands between the attacker and the co-signature.
  await registerMakerDevices(db.sql, { maker: net.maker.publicKey.toBase58(), batch: 'test', hotspots: [hotspot.address] });
  bridge = buildBridgeApi({
    keypair: hotspot,
    bridge: { counters: {} } as never,
    publisher: {} as never,
    queue: {} as never,
    allowedOrigins: [APP_ORIGIN],
    pairing: { now: () => clock },
  } as Parameters<typeof buildBridgeApi>[0]);
  bridgeUrl = await bridge.listen({ host: '127.0.0.1', port: 0 });
  bridgePort = Number(new URL(bridgeUrl).port);
  // The onboarding server of `npm start`: it knows the address of the operator's bridge.
  mapper = await startMapper({
    databaseUrl: db.url,
    logger: false,
    chain: { rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Test maker', clusterName: 'local chain' },
    bridgeApiUrl: bridgeUrl,
  });
}, 900_000);
afterAll(async () => {
  await mapper?.stop();
  await bridge?.close();
  await net?.stop();
  await db?.drop();
});

async function postTo(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, text, body: JSON.parse(text) as Record<string, string> };
}
const post = (path: string, body: unknown) => postTo(`${mapper.url}${path}`, body);
const askBridge = (body: Record<string, unknown>, headers: Record<string, string> = {}) => postTo(`${bridgeUrl}/onboarding/sign`, body, headers);
const keys = (owner: Keypair) => ({ owner: owner.publicKey.toBase58(), maker: net.maker.publicKey.toBase58(), programId: net.adminClient.programId.toBase58() });
const parties = (owner: Keypair) => ({ owner: owner.publicKey.toBase58(), hotspot: hotspot.address, maker: net.maker.publicKey.toBase58() });

/** The rest of the attack: have the maker co-sign with whatever signature was obtained, sign as owner, send. */
async function tryToOnboard(owner: Keypair, possessionSignature: string | undefined) {
  const h3 = latLngToCell(48.8566, 2.3522, 12);
  const prepared = await post('/api/v1/onboarding/transaction', { ...parties(owner), signature: possessionSignature ?? Buffer.alloc(64).toString('base64'), h3, gain_dbi: 3, elevation_m: 5 });
  if (prepared.status !== 200) return prepared;
  const ownerSignature = ed25519Sign(owner.secretKey, Buffer.from(prepared.body.message!, 'base64'));
  return post('/api/v1/onboarding/submit', { owner: owner.publicKey.toBase58(), transaction: prepared.body.transaction, owner_signature: Buffer.from(ownerSignature).toString('base64') });
}
const chainOwner = async () => (await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey)))?.owner.toBase58() ?? null;

async function pairingCode(): Promise<string | undefined> {
  const lines: string[] = [];
  await runCli(['pair', '--api-port', String(bridgePort)], { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} });
  return /pairing code:\s*([A-Z0-9-]+)/i.exec(lines.join('\n'))?.[1];
}

describe('attack: onboarding an operator’s hotspot without holding it', () => {
  it('the onboarding server neither obtains a possession signature for a caller’s wallet nor names the hotspot in a refusal', async () => {
    // The attacker guesses any hotspot key: a refusal that names the real hotspot would tell them its address.
    const probe = await post('/api/v1/onboarding/possession', { ...parties(attacker), hotspot: generateHotspotKeypair().address });
    // With the address (also printed on the label), they ask the server to have the bridge sign for their wallet.
    const ask = await post('/api/v1/onboarding/possession', parties(attacker));
    const outcome = await tryToOnboard(attacker, ask.body.signature);

    expect(await chainOwner()).not.toBe(attacker.publicKey.toBase58());
    expect(outcome.status).not.toBe(200);
    expect(ask.body.signature).toBeUndefined();
    expect(probe.text).not.toContain(hotspot.address);
    expect(probe.text).not.toContain(new PublicKey(hotspot.publicKey).toBase58());
  });

  it('a client that reaches the bridge’s local API (a LAN peer, or a page on the onboarding app’s origin) gets no signature without the pairing code', async () => {
    const fromApp = await askBridge({ ...keys(attacker), hotspot: generateHotspotKeypair().address }, { origin: APP_ORIGIN });
    const fromLan = await askBridge(keys(attacker));
    const guessed = await askBridge({ ...keys(attacker), code: 'ABCD-EFGH' });
    const outcome = await tryToOnboard(attacker, fromApp.body.signatureBase64 ?? fromLan.body.signatureBase64 ?? guessed.body.signatureBase64);

    expect(await chainOwner()).not.toBe(attacker.publicKey.toBase58());
    expect(outcome.status).not.toBe(200);
    for (const refused of [fromApp, fromLan, guessed]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('invalid_pairing_code');
      expect(refused.text).not.toContain(hotspot.address);
      expect(refused.text).not.toContain(new PublicKey(hotspot.publicKey).toBase58());
    }
  });

  it('no web page can mint a pairing code: only a local client without an Origin (poc-bridge pair) gets one', async () => {
    for (const origin of [APP_ORIGIN, 'https://evil.example']) {
      const r = await fetch(`${bridgeUrl}/onboarding/pairing-code`, { method: 'POST', headers: { origin } });
      expect(r.status).toBe(403);
      expect(await r.text()).not.toMatch(/"code"/);
    }
    const remote = await bridge.inject({ method: 'POST', url: '/onboarding/pairing-code', remoteAddress: '192.168.1.50' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ error: 'pairing_local_only' });
  });

  it('guessing is cut off: five wrong codes void the code, and a used or expired code never signs again', async () => {
    const code = await pairingCode();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    for (let i = 0; i < 5; i++) expect((await askBridge({ ...keys(attacker), code: `ZZZZ-ZZZ${i + 2}` })).status).toBe(403);
    expect((await askBridge({ ...keys(operator), code })).body.error).toBe('invalid_pairing_code');

    const second = (await pairingCode())!;
    const used = await askBridge({ ...keys(operator), code: second.toLowerCase().replace('-', ' ') });
    expect(used.status).toBe(200);
    expect((await askBridge({ ...keys(attacker), code: second })).body.error).toBe('invalid_pairing_code');

    const third = (await pairingCode())!;
    clock += 10 * 60_000 + 1;
    expect((await askBridge({ ...keys(attacker), code: third })).body.error).toBe('invalid_pairing_code');
  });

  it('the operator, who reads the code on the hotspot, onboards it', async () => {
    const code = await pairingCode();
    const signed = await askBridge({ ...keys(operator), hotspot: hotspot.address, code }, { origin: APP_ORIGIN });
    expect(signed.status).toBe(200);
    expect(signed.body.hotspot).toBe(hotspot.address);
    const sent = await tryToOnboard(operator, signed.body.signatureBase64);
    expect(sent.status).toBe(200);
    expect(await chainOwner()).toBe(operator.publicKey.toBase58());
  });
});
