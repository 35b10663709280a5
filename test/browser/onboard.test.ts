import { PublicKey } from '@solana/web3.js';
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridgeApi } from '../../hotspot-firmware-bridge/src/api';
import { generateHotspotKeypair } from '../../hotspot-firmware-bridge/src/wire/keys';
import { startMapper } from '../../mapper/src/index';
import { startDevNetwork, type DevNetwork } from '../../oracle/src/chain/dev-network';
import { syncRegistryFromChain } from '../../oracle/src/registry/registry';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { launchChromium } from './chromium';

let db: TestDatabase;
let net: DevNetwork;
let bridge: FastifyInstance;
let mapper: Awaited<ReturnType<typeof startMapper>>;
let browser: Browser;
const hotspot = generateHotspotKeypair();
const SCREENSHOTS = '.data/screenshots';

beforeAll(async () => {
  db = await createTestDatabase();
  net = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000n });
  bridge = buildBridgeApi({ keypair: hotspot, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never });
  const bridgeUrl = await bridge.listen({ host: '127.0.0.1', port: 0 });
  mapper = await startMapper({
    databaseUrl: db.url,
    logger: false,
    chain: { rpcUrl: net.chain.rpcUrl, wsUrl: net.chain.wsUrl, maker: net.maker, makerName: 'Demo maker', airdropSol: 2, clusterName: 'local chain' },
    bridgeApiUrl: bridgeUrl,
  });
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
}
const state = (page: Page) => page.evaluate(() => (window as unknown as { __pocOnboard: OnboardHook }).__pocOnboard);
const waitStep = (page: Page, step: string) =>
  page.waitForFunction((s) => (window as unknown as { __pocOnboard?: OnboardHook }).__pocOnboard?.step === s, step, { timeout: 60_000 });

describe('onboarding app on a phone', () => {
  it('walks wallet → fees → possession → pin → submit, and the hotspot reaches the map', async () => {
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

    await page.click('#airdrop');
    await expect.poll(() => page.locator('#wallet-balance').textContent(), { timeout: 30_000 }).toBe('2.000000 SOL');
    await page.click('#preflight');
    await waitStep(page, 'possession');
    expect(await page.locator('#fees tr.total').textContent()).toMatch(/Total, paid by your wallet/);

    await page.click('#possession');
    await waitStep(page, 'location');

    await page.fill('#place', 'Amsterdam');
    await page.locator('#place-results li[data-lat]').first().click();
    await page.waitForTimeout(500);
    const box = (await page.locator('#pin-map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(async () => (await state(page)).cell, { timeout: 20_000 }).toMatch(/^8c[0-9a-f]{13}$/);
    await page.fill('#gain', '4.5');
    await page.fill('#elevation', '12');
    await waitStep(page, 'submit');
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
    expect(account?.gainDbiX10).toBe(45);
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
