import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { radioPredictor, refreshEstimatedCoverage } from '@poc/oracle';
import { launchChromium } from '@poc/devnet/chromium';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMapper } from '../src/index';
import { seedAmsterdam } from './fixtures';

let db: TestDatabase;
let mapper: Awaited<ReturnType<typeof startMapper>>;
let browser: Browser;
const SCREENSHOTS = '.data/screenshots';

beforeAll(async () => {
  db = await createTestDatabase();
  await seedAmsterdam(db.sql);
  // The oracle's estimated-coverage task, run once on the seeded hotspots.
  const refreshed = await refreshEstimatedCoverage(db.sql, { predictor: radioPredictor() });
  expect(refreshed.cells).toBeGreaterThan(1000);
  mapper = await startMapper({ databaseUrl: db.url, host: '127.0.0.1', port: 0, logger: false });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await mapper?.stop();
  await db?.drop();
});

interface MapHook {
  ready: boolean;
  loading: boolean;
  loads: number;
  hexCount: number;
  estimatedCount: number;
  placeCount: number;
  styleUrl: string | null;
  lastError: string | null;
}

/** Pixels of the estimated hue (blue-violet) and of the measured strong/good greens in a screenshot. */
async function huePixels(page: Page): Promise<{ estimated: number; measured: number }> {
  const png = await page.screenshot({ path: `${SCREENSHOTS}/map-estimated.png` });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let estimated = 0;
    let measured = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
      if (b > r + 40 && b > g + 25 && r > 40) estimated++;
      if (g > 110 && g > r + 30 && g > b + 30) measured++;
    }
    return { estimated, measured };
  }, png.toString('base64'));
}

describe('estimated coverage on the map in Chromium', () => {
  it('draws estimated cells around the hotspots, measured cells on top, place names at city zoom and a legend of the coverage states', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const external: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== new URL(mapper.url).origin && url.protocol !== 'blob:' && url.protocol !== 'data:') {
        external.push(url.href);
        return route.abort();
      }
      return route.continue();
    });
    await page.goto(`${mapper.url}/#lat=52.37&lng=4.895&zoom=11`);
    await page.waitForFunction(() => {
      const h = (window as unknown as { __pocMap?: MapHook }).__pocMap;
      return h?.ready && h.loads > 0 && !h.loading;
    }, undefined, { timeout: 60_000 });
    const state = await page.evaluate(() => ({ ...(window as unknown as { __pocMap: MapHook }).__pocMap, map: undefined }));
    expect(state.lastError).toBeNull();
    expect(state.styleUrl).toBeNull(); // no MAP_STYLE_URL: the offline basemap
    expect(state.estimatedCount).toBeGreaterThan(100);
    expect(state.hexCount).toBeGreaterThan(0);
    expect(state.placeCount).toBeGreaterThan(0);
    for (const s of ['measured-strong', 'estimated', 'unmapped', 'hotspot']) expect(await page.locator(`#legend [data-state="${s}"]`).isVisible()).toBe(true);
    await page.waitForTimeout(500);
    const pixels = await huePixels(page);
    expect(pixels.estimated).toBeGreaterThan(20_000);
    expect(pixels.measured).toBeGreaterThan(500);
    expect(external).toEqual([]);
    await page.close();
  });

  it('asks for the configured street basemap style', async () => {
    const styled = await startMapper({ databaseUrl: db.url, host: '127.0.0.1', port: 0, logger: false, migrate: false, mapStyleUrl: 'https://tiles.example.org/style.json' });
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const asked: string[] = [];
      await page.route('https://tiles.example.org/**', (route) => {
        asked.push(route.request().url());
        return route.abort();
      });
      await page.goto(`${styled.url}/#lat=52.37&lng=4.895&zoom=11`);
      await expect.poll(() => asked, { timeout: 30_000 }).toContain('https://tiles.example.org/style.json');
      await page.close();
    } finally {
      await styled.stop();
    }
  });
});
