import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { radioPredictor, refreshEstimatedCoverage } from '@poc/oracle';
import { startMapper } from '../src/index';
import { seedAmsterdam } from './fixtures';
import { decodeScreenshotInPage, offlinePage, readMapHook, SCREENSHOTS, useMapBrowser, waitForMapLoaded, type ScreenshotWindow } from './map-browser';

const env = useMapBrowser(async (db) => {
  await seedAmsterdam(db.sql);
  // The oracle's estimated-coverage task, run once on the seeded hotspots.
  const refreshed = await refreshEstimatedCoverage(db.sql, { predictor: radioPredictor() });
  expect(refreshed.cells).toBeGreaterThan(1000);
});

/** Pixels of the estimated hue (blue-violet) and of the measured strong/good greens in a screenshot. */
async function huePixels(page: Page): Promise<{ estimated: number; measured: number }> {
  const png = await page.screenshot({ path: `${SCREENSHOTS}/map-estimated.png` });
  await decodeScreenshotInPage(page, png);
  return page.evaluate(() => {
    const d = (window as unknown as ScreenshotWindow).__screenshot.data;
    let estimated = 0;
    let measured = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
      if (b > r + 40 && b > g + 25 && r > 40) estimated++;
      if (g > 110 && g > r + 30 && g > b + 30) measured++;
    }
    return { estimated, measured };
  });
}

describe('estimated coverage on the map in Chromium', () => {
  it('draws estimated cells around the hotspots, measured cells on top, place names at city zoom and a legend of the coverage states', async () => {
    const { page, external } = await offlinePage(env, { width: 1280, height: 800 });
    await page.goto(`${env.mapper.url}/#lat=52.37&lng=4.895&zoom=11`);
    await waitForMapLoaded(page);
    const state = await readMapHook(page);
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
    const styled = await startMapper({ databaseUrl: env.db.url, host: '127.0.0.1', port: 0, logger: false, migrate: false, mapStyleUrl: 'https://tiles.example.org/style.json' });
    try {
      const page = await env.browser.newPage({ viewport: { width: 800, height: 600 } });
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
