import { latLngToCell } from 'h3-js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { radioPredictor, refreshEstimatedCoverage } from '@poc/oracle';
import type { TestDatabase } from '@poc/devnet/test-database';
import { seedAmsterdam } from './fixtures';
import { decodeScreenshotInPage, offlinePage, readMapHook, SCREENSHOTS, useMapBrowser, waitForMapLoaded, type MapHook, type ScreenshotWindow } from './map-browser';

/**
 * The four coverage states on the map in Chromium (mapper/README.md §Mapper logs): measured covered (by source: a
 * mapper-measured cell is outlined), measured no-signal, estimated, unmapped — with the legend — and a hex page that
 * lists the mapper measurements and the hotspots that heard them.
 */
const DEVICE = 4242;
/** Heard along the covered centre of the seeded city; unheard 5–7 km east of it. */
const HEARD: [number, number][] = [0, 1, 2].map((i) => [52.3702, 4.8952 + i * 0.004]);
const UNHEARD: [number, number][] = Array.from({ length: 12 }, (_, i) => [52.372, 4.975 + i * 0.0035]);

/** What the oracle leaves after judging a drive (oracle/src/mappers/process.ts, logs.ts) on top of the seeded city. */
async function seedJudgedDrive(db: TestDatabase): Promise<void> {
  const { alpha } = await seedAmsterdam(db.sql);
  expect((await refreshEstimatedCoverage(db.sql, { predictor: radioPredictor() })).cells).toBeGreaterThan(1000);
  // Plausible frames with their valid receipts, and logged frames judged no_signal.
  for (const [i, [lat, lng]] of HEARD.entries()) {
    const [frame] = await db.sql<{ id: string }[]>`
      INSERT INTO mapper_frames (frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
      VALUES (${Buffer.from([0xe0, 0x4d, i])}, ${DEVICE}, ${i + 1}, ${lat}, ${lng}, ${latLngToCell(lat, lng, 9)}, 9, 9, now() - interval '5 minutes', 'plausible', 1, 1)
      RETURNING id::text`;
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency, datarate, payload, status, frame_id)
      VALUES (${`h${i}`}, ${alpha.address}, 't', now(), ${Buffer.from([0xe0, 0x4d, i])}, ${DEVICE}, 0, 0, 0, ${-874 - i}, 55, 868100000, 'SF9BW125', ${Buffer.from([0])}, 'valid', ${frame!.id})`;
  }
  const [upload] = await db.sql<{ id: string }[]>`INSERT INTO mapper_log_uploads (device_id, entry_count, status) VALUES (${DEVICE}, ${UNHEARD.length}, 'accepted') RETURNING id::text`;
  for (const [i, [lat, lng]] of UNHEARD.entries()) {
    await db.sql`
      INSERT INTO mapper_log_entries (device_id, counter, upload_id, frame, sent_at, lat, lng, h3, status, judged_at)
      VALUES (${DEVICE}, ${100 + i}, ${upload!.id}, ${Buffer.from([i])}, now() - interval '20 minutes', ${lat}, ${lng}, ${latLngToCell(lat, lng, 9)}, 'no_signal', now())`;
  }
}
const env = useMapBrowser(seedJudgedDrive);

/**
 * Screenshot pixels of each state's colour: no-signal magenta, estimated blue-violet, measured green, mapper outline
 * white, and the dark unmapped basemap — counted on the map only (below the top bar, above the legend).
 */
async function statePixels(page: Page, name: string): Promise<Record<'noSignal' | 'estimated' | 'measured' | 'mapperOutline' | 'unmapped', number>> {
  const png = await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, clip: { x: 0, y: 60, width: 1280, height: 660 } });
  await decodeScreenshotInPage(page, png);
  return page.evaluate(() => {
    const d = (window as unknown as ScreenshotWindow).__screenshot.data;
    const out = { noSignal: 0, estimated: 0, measured: 0, mapperOutline: 0, unmapped: 0 };
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
      if (r > 150 && g < 90 && b > 90 && r > b) out.noSignal++;
      else if (b > r + 40 && b > g + 25 && r > 40) out.estimated++;
      else if (g > 110 && g > r + 30 && g > b + 30) out.measured++;
      else if (r > 235 && g > 235 && b > 235) out.mapperOutline++;
      else if (r < 60 && g < 70 && b < 90) out.unmapped++;
    }
    return out;
  });
}

describe('the four coverage states on the map in Chromium', () => {
  it('draws measured (mapper-outlined), measured no-signal, estimated and unmapped cells with the legend; the hex page lists mapper measurements', async () => {
    const { page, external, pageErrors } = await offlinePage(env, { width: 1280, height: 800 });
    await page.goto(`${env.mapper.url}/#lat=52.371&lng=4.93&zoom=12.3`);
    await waitForMapLoaded(page);
    const state = await readMapHook(page);
    expect(state.lastError).toBeNull();
    expect(state.mapperCount).toBe(new Set(HEARD.map(([lat, lng]) => latLngToCell(lat, lng, 9))).size);
    expect(state.noSignalCount).toBe(new Set(UNHEARD.map(([lat, lng]) => latLngToCell(lat, lng, 9))).size);
    expect(state.estimatedCount).toBeGreaterThan(100);
    expect(state.hexCount).toBeGreaterThan(0);
    for (const s of ['measured-strong', 'measured-mapper', 'measured-no-signal', 'estimated', 'unmapped']) expect(await page.locator(`#legend [data-state="${s}"]`).isVisible()).toBe(true);
    await page.waitForTimeout(500);
    const pixels = await statePixels(page, 'map-mapper-states');
    expect(pixels.noSignal).toBeGreaterThan(2_000);
    expect(pixels.estimated).toBeGreaterThan(10_000);
    expect(pixels.measured).toBeGreaterThan(2_000);
    expect(pixels.mapperOutline).toBeGreaterThan(100);
    // Beyond the hotspots' reach (zoomed out to the region) the basemap shows through: unmapped.
    await page.evaluate(() => (window as unknown as { __pocMap: { map: { jumpTo(o: unknown): void } } }).__pocMap.map.jumpTo({ center: [4.93, 52.371], zoom: 8.5 }));
    await page.waitForFunction(() => {
      const h = (window as unknown as { __pocMap?: MapHook }).__pocMap;
      return h && h.resolution === 7 && !h.loading;
    }, undefined, { timeout: 60_000 });
    await page.waitForTimeout(500);
    const wide = await statePixels(page, 'map-mapper-states-region');
    expect(pixels.unmapped).toBeLessThan(1_000); // the city view is all estimated or measured
    expect(wide.unmapped).toBeGreaterThan(100_000);
    expect(wide.estimated).toBeGreaterThan(10_000);

    // The hex page of a mapper-measured cell lists the frame and the hotspot that heard it.
    const { page: hex } = await offlinePage(env, { width: 1280, height: 800 });
    await hex.goto(`${env.mapper.url}/#lat=52.3702&lng=4.8952&zoom=13&hex=${latLngToCell(...HEARD[0]!, 9)}`);
    await hex.locator('#mapper-measurements').waitFor({ timeout: 30_000 });
    const text = await hex.locator('#panel-body').innerText();
    expect(text).toContain('Alpha Amstel Gateway');
    expect(text).toContain('-87.4 dBm');
    await hex.close();
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
