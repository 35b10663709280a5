import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seedAmsterdam } from './fixtures';
import { decodeScreenshotInPage, offlinePage, readMapHook, SCREENSHOTS, useMapBrowser, waitForMapLoaded, type MapHook, type ScreenshotWindow } from './map-browser';

const env = useMapBrowser((db) => seedAmsterdam(db.sql));

/**
 * Decodes a screenshot in the page and measures it: `nonBlankShare` is the share of sampled pixels that differ from the
 * top-left one (a blank canvas scores ~0), `greenPixels` counts the pixels of the strong-signal hex colour.
 */
async function screenshotStats(page: Page): Promise<{ nonBlankShare: number; greenPixels: number }> {
  const png = await page.screenshot();
  await decodeScreenshotInPage(page, png);
  return page.evaluate(() => {
    const d = (window as unknown as ScreenshotWindow).__screenshot.data;
    let differing = 0;
    let sampled = 0;
    for (let i = 0; i < d.length; i += 4 * 97) {
      sampled++;
      if (Math.abs(d[i]! - d[0]!) + Math.abs(d[i + 1]! - d[1]!) + Math.abs(d[i + 2]! - d[2]!) > 30) differing++;
    }
    let greenPixels = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 1]! > 110 && d[i + 1]! > d[i]! + 30 && d[i + 1]! > d[i + 2]! + 30) greenPixels++;
    return { nonBlankShare: differing / sampled, greenPixels };
  });
}

describe('coverage map in Chromium', () => {
  it('renders the offline basemap and the covered hexes around Amsterdam', async () => {
    const { page, external, pageErrors } = await offlinePage(env, { width: 1280, height: 800 });
    await page.goto(`${env.mapper.url}/#lat=52.37&lng=4.895&zoom=12`);
    await waitForMapLoaded(page);
    const state = await readMapHook(page);
    expect(state.lastError).toBeNull();
    expect(state.resolution).toBe(9);
    expect(state.hexCount).toBe(env.seeded.hexes.length);
    expect(state.hotspotCount).toBe(2);
    await page.waitForTimeout(500); // let the last frame land before the screenshot
    await page.screenshot({ path: `${SCREENSHOTS}/map-desktop.png` });
    const pixels = await screenshotStats(page);
    expect(pixels.nonBlankShare).toBeGreaterThan(0.05);
    expect(pixels.greenPixels).toBeGreaterThan(2_000);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('searches a hotspot, opens its page and keeps it in the permalink', async () => {
    const { page } = await offlinePage(env, { width: 390, height: 844 });
    await page.goto(`${env.mapper.url}/#lat=20&lng=0&zoom=2`);
    await page.waitForFunction(() => (window as unknown as { __pocMap?: MapHook }).__pocMap?.ready === true, undefined, { timeout: 60_000 });
    await page.fill('#search', 'Beta');
    await page.locator('#search-results li[data-kind="hotspot"]').first().click();
    await expect.poll(() => page.locator('#panel-body h2').textContent(), { timeout: 20_000 }).toBe('Beta Canal Relay');
    expect(await page.locator('#panel').isVisible()).toBe(true);
    // The trust evidence in words and the radio model (none fitted yet: the regional model only).
    expect(await page.locator('#panel-body .trust-evidence').textContent()).toContain('Not enough links yet to judge your location');
    expect(await page.locator('#panel-body table.radio-model').textContent()).toContain('regional model only');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 20_000 }).toContain(`hotspot=${env.seeded.beta.address}`);
    await page.waitForFunction(() => {
      const h = (window as unknown as { __pocMap?: MapHook }).__pocMap;
      return h && h.hexCount > 0 && !h.loading;
    }, undefined, { timeout: 60_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/map-phone-hotspot.png` });
    // Reloading the permalink reopens the same hotspot.
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await expect.poll(() => page.locator('#panel-body h2').textContent(), { timeout: 30_000 }).toBe('Beta Canal Relay');
    await page.close();
  });

  it('opens hex detail from a permalink and narrows by time window', async () => {
    const { page } = await offlinePage(env, { width: 1024, height: 768 });
    await page.goto(`${env.mapper.url}/#lat=52.3702&lng=4.8952&zoom=12&hex=${env.seeded.centre}`);
    await expect.poll(() => page.locator('#panel-body').textContent(), { timeout: 30_000 }).toContain('−80.0 dBm'.replace('−', '-'));
    await page.waitForFunction(() => (window as unknown as { __pocMap?: MapHook }).__pocMap?.loads! > 0, undefined, { timeout: 60_000 });
    const before = (await readMapHook(page)).hexCount;
    await page.selectOption('#window', '7d');
    await page.waitForFunction((n) => {
      const h = (window as unknown as { __pocMap?: MapHook }).__pocMap;
      return h && !h.loading && h.hexCount < n;
    }, before, { timeout: 30_000 });
    expect(page.url()).toContain('window=7d');
    await page.close();
  });
});
