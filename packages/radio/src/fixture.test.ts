import { describe, expect, it } from 'vitest';
import { fitCloseIn, fitLogDistance } from './fit';
import { FIXTURE_TX_POWER_DDBM, loadFixture, parseFixture } from './fixture';
import { DEVICE_SITE_SD_DB } from './common-shadowing';
import { measuredSignalDbm } from './link-budget';
import { meanPathLossDb } from './model';
import { OUTDOOR_LINK_PRIOR, OUTDOOR_LINK_PRIOR_FIT, REGIONAL_PRIOR, REGIONAL_PRIOR_FIT } from './regional';

const receptions = loadFixture();
const samples = receptions.map((r) => ({
  distanceM: r.distanceM,
  frequencyHz: r.frequencyHz,
  linkBudgetDbm: FIXTURE_TX_POWER_DDBM / 10,
  signalDbm: measuredSignalDbm(r.rssiDbm, r.snrDb, REGIONAL_PRIOR.noiseFloorDbm),
}));

describe('the committed CampusIoT Helium fixture', () => {
  it('holds real receptions from the three devices at 868 MHz', () => {
    expect(receptions.length).toBeGreaterThan(3000);
    expect(new Set(receptions.map((r) => r.endpoint))).toEqual(new Set(['ems', 'imst', 'ftd']));
    expect(new Set(receptions.map((r) => `${r.hotspot}:${r.week}`)).size).toBeGreaterThan(500);
    for (const r of receptions) {
      expect(r.frequencyHz).toBeGreaterThan(863e6);
      expect(r.frequencyHz).toBeLessThan(870e6);
      expect(r.spreadingFactor).toBeGreaterThanOrEqual(7);
      expect(r.spreadingFactor).toBeLessThanOrEqual(12);
    }
  });

  it('gives the regional prior when refitted (the constants are the data, not a guess)', () => {
    const fit = fitCloseIn(REGIONAL_PRIOR, samples);
    expect(fit.n).toBe(REGIONAL_PRIOR_FIT.n);
    expect(fit.exponent).toBeCloseTo(REGIONAL_PRIOR.exponent, 2);
    expect(fit.pathLossAt1kmDb).toBeCloseTo(REGIONAL_PRIOR.pathLossAt1kmDb, 0);
    expect(fit.residualSdDb).toBeCloseTo(REGIONAL_PRIOR.shadowingSdDb, 1);
  });

  it('gives the outdoor-link prior when the rooftop device alone is refitted', () => {
    const fit = fitCloseIn(REGIONAL_PRIOR, samples.filter((_, i) => receptions[i]!.endpoint === 'ems'));
    expect(fit.n).toBe(OUTDOOR_LINK_PRIOR_FIT.n);
    expect(fit.exponent).toBeCloseTo(OUTDOOR_LINK_PRIOR.exponent, 2);
    expect(fit.pathLossAt1kmDb).toBeCloseTo(OUTDOOR_LINK_PRIOR.pathLossAt1kmDb, 0);
    expect(fit.residualSdDb).toBeCloseTo(OUTDOOR_LINK_PRIOR.shadowingSdDb, 1);
  });

  it('shows the channel-RSSI floor near the noise when SNR is below 0', () => {
    const nearFloor = receptions.filter((r) => r.snrDb >= -10 && r.snrDb <= 0).map((r) => r.rssiDbm);
    nearFloor.sort((a, b) => a - b);
    expect(nearFloor[nearFloor.length >> 1]).toBe(REGIONAL_PRIOR.noiseFloorDbm);
  });

  it('is flattened by an intercept-free fit, which is why the close-in model is used', () => {
    const ols = fitLogDistance(REGIONAL_PRIOR, samples);
    expect(ols.exponent).toBeLessThan(1);
  });

  it('spreads the mobile device’s positions by more than the device-end term estimated coverage shares (a lower bound)', () => {
    // Residual over the regional model = hotspot offset + device-position offset + rest, fitted by alternating means
    // (README.md §Estimated coverage); the spread of the positions' offsets, less their sampling noise, is the
    // device-end term at those positions.
    const rows = receptions.map((r, i) => ({
      hotspot: r.hotspot,
      position: `${r.endpoint}:${r.txLat},${r.txLng}`,
      residual: samples[i]!.signalDbm - (samples[i]!.linkBudgetDbm - meanPathLossDb(REGIONAL_PRIOR, r.distanceM, r.frequencyHz)),
    })).filter((_, i) => receptions[i]!.distanceM >= REGIONAL_PRIOR.minDistanceM);
    const hotspotOffset = new Map<string, number>();
    const positionOffset = new Map<string, number>();
    const count = new Map<string, number>();
    for (const row of rows) count.set(row.position, (count.get(row.position) ?? 0) + 1);
    const meanBy = (key: (row: (typeof rows)[number]) => string, other: (row: (typeof rows)[number]) => number, into: Map<string, number>) => {
      const sums = new Map<string, [number, number]>();
      for (const row of rows) {
        const s = sums.get(key(row)) ?? [0, 0];
        s[0] += row.residual - other(row);
        s[1]++;
        sums.set(key(row), s);
      }
      for (const [k, [sum, n]] of sums) into.set(k, sum / n);
    };
    for (let iteration = 0; iteration < 30; iteration++) {
      meanBy((row) => row.position, (row) => hotspotOffset.get(row.hotspot) ?? 0, positionOffset);
      meanBy((row) => row.hotspot, (row) => positionOffset.get(row.position)!, hotspotOffset);
    }
    const rest = Math.sqrt(rows.reduce((s, row) => s + (row.residual - hotspotOffset.get(row.hotspot)! - positionOffset.get(row.position)!) ** 2, 0) / rows.length);
    const mobile = [...positionOffset].filter(([k]) => k.startsWith('ftd:') && count.get(k)! >= 10);
    const mean = mobile.reduce((s, [, v]) => s + v, 0) / mobile.length;
    const spread = mobile.reduce((s, [, v]) => s + (v - mean) ** 2, 0) / (mobile.length - 1);
    const sampling = mobile.reduce((s, [k]) => s + rest ** 2 / count.get(k)!, 0) / mobile.length;
    const deviceEndSd = Math.sqrt(spread - sampling);
    expect(mobile.length).toBeGreaterThanOrEqual(20);
    expect(deviceEndSd).toBeCloseTo(11.7, 0);
    expect(deviceEndSd).toBeGreaterThan(DEVICE_SITE_SD_DB);
    expect(deviceEndSd).toBeLessThan(REGIONAL_PRIOR.shadowingSdDb);
  });

  it('rejects a malformed file with the line at fault', () => {
    const header = 'endpoint,hotspot,week,reported_at_ms,tx_lat,tx_lng,rx_lat,rx_lng,distance_m,frequency_mhz,sf,rssi_dbm,snr_db';
    expect(() => parseFixture('bad header\n')).toThrow(/header/);
    expect(() => parseFixture(`${header}\nems,x,1,2,3,4,5,6,7,868.1,12,-100`)).toThrow(/line 2/);
    expect(() => parseFixture(`${header}\nems,x,1,2,3,4,5,6,seven,868.1,12,-100,1`)).toThrow(/line 2: column 9/);
  });
});
