import { PublicKey } from '@solana/web3.js';
import type { FastifyInstance } from 'fastify';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridgeApi, runCli } from '@poc/hotspot-firmware-bridge';
import { generateHotspotKeypair } from '@poc/protocol';
import { registerMakerDevices, startMapper } from '@poc/mapper';
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { syncRegistryFromChain } from '@poc/oracle';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { launchChromium } from '@poc/devnet/chromium';

let db: TestDatabase;
let net: DevNetwork;
let bridge: FastifyInstance;
let bridgeUrl: string;
let mapper: Awaited<ReturnType<typeof startMapper>>;
let browser: Browser;
const hotspot = generateHotspotKeypair();
const SCREENSHOTS = '.data/screenshots';

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000n });
  mapper = await startMapper({
    databaseUrl: db.url,
    logger: false,
    chain: { rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Demo maker', airdropSol: 2, clusterName: 'local chain' },
  });
  // The owner's hotspot: its bridge lets the onboarding app's page ask it for the possession signature.
  bridge = buildBridgeApi({ keypair: hotspot, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never, allowedOrigins: [mapper.url] });
  bridgeUrl = await bridge.listen({ host: '127.0.0.1', port: 0 });
  await registerMakerDevices(db.sql, { maker: net.maker.publicKey.toBase58(), batch: 'browser-test', hotspots: [hotspot.address] });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 900_000);
afterAll(async () => {
  await browser?.close();
  await mapper?.stop();
  await bridge?.close();
  await net?.stop();
  await db?.drop();
});

interface OnboardHook {
  step: string;
  lastError: string | null;
  txSignature: string | null;
  cell: string | null;
  region: string | null;
  wallet: { kind: string; name: string; address: string } | null;
}
const state = (page: Page) => page.evaluate(() => (window as unknown as { __pocOnboard: OnboardHook }).__pocOnboard);
const waitStep = (page: Page, step: string) =>
  page.waitForFunction((s) => (window as unknown as { __pocOnboard?: OnboardHook }).__pocOnboard?.step === s, step, { timeout: 60_000 });

/** What the owner reads on the hotspot: `poc-bridge pair` against its bridge's local API. */
async function pairingCode(url: string): Promise<string> {
  const lines: string[] = [];
  expect(await runCli(['pair', '--api-port', new URL(url).port], { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} })).toBe(0);
  return /pairing code: (\S+)/.exec(lines.join('\n'))![1]!;
}

/** Step 3: the bridge's address and the code shown on the hotspot, typed by the owner. */
async function proveWithPairingCode(page: Page, url: string) {
  await page.fill('#bridge-url', url);
  await page.fill('#pairing-code', await pairingCode(url));
  await page.click('#possession');
  await waitStep(page, 'location');
}

describe('onboarding app on a phone', () => {
  it('walks wallet → fees → possession (pairing code) → pin → submit, and the hotspot reaches the map', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${mapper.url}/onboard`);
    await waitStep(page, 'hotspot');
    const owner = (await page.locator('#wallet-address').textContent())!;
    expect(owner.length).toBeGreaterThan(30);

    // An empty wallet gets a specific refusal with the fees, not "something went wrong".
    await page.fill('#hotspot-key', hotspot.address);
    await page.click('#preflight');
    await expect.poll(() => page.locator('#hotspot-msg').textContent(), { timeout: 30_000 }).toMatch(/holds 0\.000000 SOL but onboarding needs/);
    expect((await state(page)).lastError).toBe('insufficient_funds');

    // A key this maker never manufactured is refused before anything is signed or paid.
    await page.fill('#hotspot-key', generateHotspotKeypair().address);
    await page.click('#preflight');
    await expect.poll(() => page.locator('#hotspot-msg').textContent(), { timeout: 30_000 }).toMatch(/is not one Demo maker manufactured/);
    expect((await state(page)).lastError).toBe('not_maker_device');
    await page.fill('#hotspot-key', hotspot.address);

    await page.click('#airdrop');
    await expect.poll(() => page.locator('#wallet-balance').textContent(), { timeout: 30_000 }).toBe('2.000000 SOL');
    await page.click('#preflight');
    await waitStep(page, 'possession');
    expect(await page.locator('#fees tr.total').textContent()).toMatch(/Total, paid by your wallet/);

    // Without the code shown on the hotspot, the bridge signs nothing.
    await page.fill('#bridge-url', bridgeUrl);
    await page.fill('#pairing-code', 'ZZZZ-ZZZZ');
    await page.click('#possession');
    await expect.poll(() => page.locator('#possession-msg').textContent(), { timeout: 30_000 }).toMatch(/the hotspot refused to sign: no valid pairing code/);
    expect((await state(page)).lastError).toBe('invalid_pairing_code');
    expect(await page.locator('#possession-msg').textContent()).not.toContain(hotspot.address);

    await proveWithPairingCode(page, bridgeUrl);

    await page.fill('#place', 'Amsterdam');
    await page.locator('#place-results li[data-lat]').first().click();
    await page.waitForTimeout(500);
    const box = (await page.locator('#pin-map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(async () => (await state(page)).cell, { timeout: 20_000 }).toMatch(/^8c[0-9a-f]{13}$/);
    // The server places the pin in its country's plan (hplans regions.csv: NL → EU868) and the app shows it.
    await expect.poll(async () => (await state(page)).region, { timeout: 20_000 }).toBe('EU868');
    expect(await page.locator('#region').textContent()).toBe('EU868 (NL)');
    await page.fill('#gain', '4.5');
    await page.fill('#elevation', '12');
    await waitStep(page, 'submit');
    expect(await page.locator('#review-region').textContent()).toBe('EU868');
    await page.waitForTimeout(600);
    await page.locator('#step-location').screenshot({ path: `${SCREENSHOTS}/onboard-phone-pin.png` });

    await page.click('#submit');
    await waitStep(page, 'done');
    const { txSignature, cell } = await state(page);
    expect(txSignature).toBeTruthy();
    await page.screenshot({ path: `${SCREENSHOTS}/onboard-phone-done.png`, fullPage: true });

    const account = await net.adminClient.fetchHotspot(new PublicKey(hotspot.publicKey));
    expect(account?.owner.toBase58()).toBe(owner);
    expect(account?.locationH3).toBe(cell);
    expect(account?.gainDdbi).toBe(45);
    expect(account?.elevationM).toBe(12);

    // The oracle mirrors the chain registry into PostgreSQL; then the app reports the hotspot on the map.
    await syncRegistryFromChain(db.sql, net.adminClient);
    await expect.poll(() => page.locator('#registry-status').textContent(), { timeout: 30_000 }).toBe('It is on the map now.');
    await page.goto(new URL((await page.locator('#map-link').getAttribute('href'))!, mapper.url).href);
    await expect.poll(() => page.locator('#panel-body dd').first().textContent(), { timeout: 30_000 }).toBeTruthy();
    expect(await page.locator('#panel-body').textContent()).toContain(hotspot.address);

    // The rewards section lists the new hotspot (nothing claimable before an epoch is confirmed).
    await page.goto(`${mapper.url}/onboard`);
    await waitStep(page, 'hotspot');
    await page.click('#rewards-load');
    await expect.poll(() => page.locator('#rewards').textContent(), { timeout: 30_000 }).toContain('nothing to claim');
    expect(await page.locator('#rewards').textContent()).toContain(hotspot.address.slice(0, 12));

    // Doing it again is refused specifically.
    await page.goto(`${mapper.url}/onboard?hotspot=${hotspot.address}`);
    await waitStep(page, 'hotspot');
    await page.click('#preflight');
    await expect.poll(() => page.locator('#hotspot-msg').textContent(), { timeout: 30_000 }).toMatch(/already onboarded to your wallet/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

/** Test controls of the injected Wallet Standard wallets (test/browser/standard-wallet.js). */
interface WalletControls {
  control: { rejectNextConnect: number; rejectNextSign: number; modifyNextSign: number; requests: { method: string; chain?: string; account?: string; silent?: boolean }[] };
  address(): string | null;
  switchAccount(): Promise<string>;
  disconnectFromWallet(): void;
}
const STANDARD_WALLET = readFileSync(new URL('./standard-wallet.js', import.meta.url), 'utf8');
const WALLET = 'Test Wallet';
const onWallet = <T>(page: Page, name: string, fn: string) =>
  page.evaluate(([n, f]) => new Function('w', `return (${f})(w)`)((window as unknown as { __standardWallets: Record<string, WalletControls> }).__standardWallets[n!]), [name, fn]) as Promise<T>;

async function pinSomewhere(page: Page, place: string) {
  await page.fill('#place', place);
  await page.locator('#place-results li[data-lat]').first().click();
  await page.waitForTimeout(500);
  const box = (await page.locator('#pin-map').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect.poll(async () => (await state(page)).cell, { timeout: 20_000 }).toMatch(/^8c[0-9a-f]{13}$/);
}

describe('onboarding app with a browser wallet (Wallet Standard)', () => {
  // A second hotspot behind its own bridge, so this flow does not depend on the demo-wallet test.
  const hotspot2 = generateHotspotKeypair();
  let bridge2: FastifyInstance;
  let bridge2Url: string;
  let mapper2: Awaited<ReturnType<typeof startMapper>>;
  beforeAll(async () => {
    mapper2 = await startMapper({
      databaseUrl: db.url,
      migrate: false,
      logger: false,
      chain: { rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Demo maker', airdropSol: 2, clusterName: 'local chain' },
    });
    bridge2 = buildBridgeApi({ keypair: hotspot2, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never, allowedOrigins: [mapper2.url] });
    bridge2Url = await bridge2.listen({ host: '127.0.0.1', port: 0 });
    await registerMakerDevices(db.sql, { maker: net.maker.publicKey.toBase58(), batch: 'browser-test', hotspots: [hotspot2.address] });
  });
  afterAll(async () => {
    await mapper2?.stop();
    await bridge2?.close();
  });

  it('lists Solana wallets, connects one, follows its account change, survives a refusal and a modified transaction, and onboards with its signature', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Three "extensions": a Solana wallet on this chain, a Solana wallet on mainnet only, an Ethereum-only wallet.
    await page.addInitScript(
      (configs) => ((window as unknown as { __standardWalletConfig: unknown }).__standardWalletConfig = configs),
      [
        { name: WALLET, chains: ['solana:mainnet', 'solana:devnet', 'solana:localnet'], solana: true },
        { name: 'Mainnet Only', chains: ['solana:mainnet'], solana: true },
        { name: 'Eth Wallet', chains: ['eip155:1'], solana: false },
      ],
    );
    await page.addInitScript({ content: STANDARD_WALLET });
    await page.goto(`${mapper2.url}/onboard`);
    await waitStep(page, 'hotspot');
    expect((await state(page)).wallet?.kind).toBe('demo');

    const choices = page.locator('#wallet-choices button');
    await expect.poll(() => choices.allTextContents()).toEqual([WALLET, 'Mainnet Only', 'Eth Wallet (no Solana support)', 'Demo wallet (kept in this browser)']);
    expect(await page.locator('#wallet-choices button', { hasText: 'Eth Wallet' }).isDisabled()).toBe(true);
    expect(await page.locator('#no-browser-wallet').isVisible()).toBe(false);

    // A wallet on another chain is refused specifically; the demo wallet stays connected.
    await page.click('#wallet-choices button:has-text("Mainnet Only")');
    await expect.poll(() => page.locator('#wallet-msg').textContent()).toContain('Mainnet Only is on solana:mainnet, but this network runs on solana:localnet.');
    expect((await state(page)).lastError).toBe('wallet_wrong_chain');
    expect((await state(page)).wallet?.kind).toBe('demo');

    // Declining the connection in the wallet, then accepting.
    await onWallet(page, WALLET, '(w) => { w.control.rejectNextConnect = 1; }');
    await page.click(`#wallet-choices button:has-text("${WALLET}")`);
    await expect.poll(() => page.locator('#wallet-msg').textContent()).toContain(`You declined the connection in ${WALLET}.`);
    expect((await state(page)).lastError).toBe('wallet_rejected');
    await page.click(`#wallet-choices button:has-text("${WALLET}")`);
    await expect.poll(async () => (await state(page)).wallet?.kind).toBe('browser');
    const firstAddress = await onWallet<string>(page, WALLET, '(w) => w.address()');
    expect(await page.locator('#wallet-address').textContent()).toBe(firstAddress);
    expect(await page.locator('#wallet-name').textContent()).toBe(WALLET);
    expect(await page.locator(`#wallet-choices button:has-text("${WALLET}")`).getAttribute('aria-pressed')).toBe('true');

    // The user switches accounts in the wallet (standard:events change): the app follows and the new account owns.
    const owner = await onWallet<string>(page, WALLET, '(w) => w.switchAccount()');
    expect(owner).not.toBe(firstAddress);
    await expect.poll(() => page.locator('#wallet-address').textContent()).toBe(owner);
    expect(await page.locator('#wallet-msg').textContent()).toContain(`${WALLET} switched to account ${owner}`);
    await page.locator('#step-wallet').screenshot({ path: `${SCREENSHOTS}/onboard-phone-browser-wallet.png` });

    await page.click('#airdrop');
    await expect.poll(() => page.locator('#wallet-balance').textContent(), { timeout: 30_000 }).toBe('2.000000 SOL');
    await page.fill('#hotspot-key', hotspot2.address);
    await page.click('#preflight');
    await waitStep(page, 'possession');
    await proveWithPairingCode(page, bridge2Url);
    await pinSomewhere(page, 'Rotterdam');
    await waitStep(page, 'submit');
    expect(await page.locator('#review').textContent()).toContain(`${owner} (${WALLET})`);

    // The user declines in the wallet: a specific message, and the app stays usable.
    await onWallet(page, WALLET, '(w) => { w.control.rejectNextSign = 1; }');
    await page.click('#submit');
    await expect.poll(() => page.locator('#submit-msg').textContent()).toContain(`You declined in ${WALLET}: nothing was signed or sent.`);
    expect((await state(page)).lastError).toBe('wallet_rejected');
    expect(await page.locator('#submit').isEnabled()).toBe(true);

    // The wallet adds a priority-fee instruction before signing: the app says so instead of sending a doomed transaction.
    await onWallet(page, WALLET, '(w) => { w.control.modifyNextSign = 1; }');
    await page.click('#submit');
    await expect.poll(() => page.locator('#submit-msg').textContent()).toContain(`${WALLET} modified the transaction before signing it`);
    expect((await state(page)).lastError).toBe('wallet_modified_transaction');
    expect(await page.locator('#submit').isEnabled()).toBe(true);

    await page.click('#submit');
    await waitStep(page, 'done');
    const { txSignature, cell } = await state(page);
    expect(txSignature).toBeTruthy();
    const account = await net.adminClient.fetchHotspot(new PublicKey(hotspot2.publicKey));
    expect(account?.owner.toBase58()).toBe(owner);
    expect(account?.locationH3).toBe(cell);

    // Every signature came from solana:signTransaction for this chain and the current account; nothing else was asked.
    const requests = await onWallet<WalletControls['control']['requests']>(page, WALLET, '(w) => w.control.requests');
    expect(requests.filter((r) => r.method === 'signTransaction')).toEqual(Array(3).fill({ method: 'signTransaction', chain: 'solana:localnet', account: owner }));
    expect(requests.map((r) => r.method).every((m) => ['connect', 'signTransaction'].includes(m))).toBe(true);

    // The wallet disconnects this site from its side: the app drops the owner and says why.
    await onWallet(page, WALLET, '(w) => w.disconnectFromWallet()');
    await expect.poll(async () => (await state(page)).wallet).toBeNull();
    expect(await page.locator('#wallet-msg').textContent()).toContain(`${WALLET} disconnected this site`);
    expect((await state(page)).lastError).toBe('wallet_disconnected');
    await page.click('#preflight');
    await expect.poll(() => page.locator('#hotspot-msg').textContent()).toContain('No wallet is connected.');

    // Reconnect, reload: the app remembers the choice and asks the wallet silently (this "extension" forgot the site).
    // The choice is saved as soon as the wallet connects, not once its balance arrives (held back here): a reload
    // in between must remember it too.
    await page.route('**/api/v1/onboarding/balance*', () => {});
    await page.click(`#wallet-choices button:has-text("${WALLET}")`);
    await expect.poll(async () => (await state(page)).wallet?.kind).toBe('browser');
    expect(await page.evaluate(() => localStorage.getItem('poc-wallet-choice-v1'))).toBe(WALLET);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await waitStep(page, 'hotspot');
    await expect.poll(() => page.locator('#wallet-msg').textContent()).toBe(`Press ${WALLET} to connect it again.`);
    expect((await state(page)).wallet).toBeNull();
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('says so when no browser wallet is installed and the remembered one is gone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addInitScript(() => localStorage.setItem('poc-wallet-choice-v1', 'Phantom'));
    const page = await context.newPage();
    await page.goto(`${mapper2.url}/onboard`);
    await waitStep(page, 'hotspot');
    await expect.poll(() => page.locator('#wallet-msg').textContent(), { timeout: 10_000 }).toContain('Phantom, the wallet you used last time, is not in this browser now.');
    expect((await state(page)).lastError).toBe('wallet_not_found');
    expect(await page.locator('#no-browser-wallet').isVisible()).toBe(true);
    expect(await page.locator('#wallet-choices button').allTextContents()).toEqual(['Demo wallet (kept in this browser)']);
    await page.click('#wallet-choices button');
    await expect.poll(async () => (await state(page)).wallet?.kind).toBe('demo');
    await context.close();
  });
});
