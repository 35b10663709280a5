import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '@poc/devnet/chromium';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMapper } from '../src/index';
import type { DebugHook } from '../src/web/map/main';

/** Shared set-up of the map tests in Chromium: a seeded database, the mapper serving the map, a browser. */

export const SCREENSHOTS = '.data/screenshots';

/** The map's debug hook `window.__pocMap` as a test reads it: without the map instance. */
export type MapHook = Omit<DebugHook, 'map'>;

export interface MapBrowserEnv<Seeded> {
  db: TestDatabase;
  mapper: Awaited<ReturnType<typeof startMapper>>;
  browser: Browser;
  /** What `seed` returned. */
  seeded: Seeded;
}

/** Registers the beforeAll/afterAll hooks; the returned fields are filled in beforeAll. */
export function useMapBrowser<Seeded>(seed: (db: TestDatabase) => Promise<Seeded>): MapBrowserEnv<Seeded> {
  const env = {} as Partial<MapBrowserEnv<Seeded>>;
  beforeAll(async () => {
    env.db = await createTestDatabase();
    env.seeded = await seed(env.db);
    env.mapper = await startMapper({ databaseUrl: env.db.url, host: '127.0.0.1', port: 0, logger: false });
    env.browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.mapper?.stop();
    await env.db?.drop();
  });
  return env as MapBrowserEnv<Seeded>;
}

/** A page that must work fully offline: every request leaving the mapper's origin is aborted and recorded, as are page errors. */
export async function offlinePage(env: MapBrowserEnv<unknown>, viewport: { width: number; height: number }) {
  const page = await env.browser.newPage({ viewport });
  const external: string[] = [];
  const pageErrors: string[] = [];
  const origin = new URL(env.mapper.url).origin;
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== origin && url.protocol !== 'blob:' && url.protocol !== 'data:') {
      external.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { page, external, pageErrors };
}

/** The debug hook's current values (only `map: undefined` before the map script ran). */
export const readMapHook = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { __pocMap: MapHook }).__pocMap, map: undefined }));

/** Waits until the map is ready and has finished at least one load of its layers. */
export const waitForMapLoaded = (page: Page) => page.waitForFunction(() => {
  const h = (window as unknown as { __pocMap?: MapHook }).__pocMap;
  return h?.ready && h.loads > 0 && !h.loading;
}, undefined, { timeout: 60_000 });

/** The screenshot decoded by `decodeScreenshotInPage`, read inside a page.evaluate. */
export interface ScreenshotWindow {
  __screenshot: ImageData;
}

/** Decodes a PNG screenshot in the page into `window.__screenshot`, for a page.evaluate that counts its pixels. */
export async function decodeScreenshotInPage(page: Page, png: Buffer): Promise<void> {
  await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    (window as unknown as ScreenshotWindow).__screenshot = ctx.getImageData(0, 0, c.width, c.height);
  }, png.toString('base64'));
}
