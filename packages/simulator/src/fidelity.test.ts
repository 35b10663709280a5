import { describe, expect, it } from 'vitest';
import { FIXTURE_TX_POWER_DDBM, loadFixture } from '@poc/radio/fixture';
import { simulateLink } from './radio-model';
import { SeededRandom } from './rng';

/**
 * Simulator fidelity against real receptions (packages/radio/fixtures: CampusIoT Helium, ODbL-1.0). The fixture's
 * outdoor rooftop device is the real analogue of a hotspot-to-hotspot link; each of its receptions is replayed
 * through the simulator's radio at the same distance, frequency and spreading factor, and only what the simulated
 * receiver demodulates is kept — as in the data, which holds only receptions.
 */
const BANDS_M = [500, 1000, 2000, 4000, 8000, 16_000];
const REPLAYS = 20;
const MAX_MEDIAN_GAP_DB = 6;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
};

describe('simulated RSSI vs distance against real receptions', () => {
  const outdoor = loadFixture().filter((r) => r.endpoint === 'ems');
  const rng = new SeededRandom('fidelity');
  const simulated: { distanceM: number; rssiDbm: number }[] = [];
  for (let replay = 0; replay < REPLAYS; replay++) {
    for (const r of outdoor) {
      const link = simulateLink({
        distanceM: r.distanceM,
        frequencyHz: r.frequencyHz,
        txPowerDbm: FIXTURE_TX_POWER_DDBM / 10,
        txGainDdbi: 0,
        rxGainDdbi: 0,
        spreadingFactor: r.spreadingFactor,
        bandwidthKhz: 125,
        linkShadow: rng.gaussian(),
        packetFading: rng.gaussian(),
        txSite: rng.gaussian(),
        rxSite: rng.gaussian(),
        interference: rng.next(),
      });
      if (link.received) simulated.push({ distanceM: r.distanceM, rssiDbm: link.rssiDbm });
    }
  }

  it(`keeps the median reported RSSI of every distance band within ${MAX_MEDIAN_GAP_DB} dB of the real one`, () => {
    const rows: string[] = [];
    let bandsCompared = 0;
    for (let i = 0; i + 1 < BANDS_M.length; i++) {
      const inBand = (d: number) => d >= BANDS_M[i]! && d < BANDS_M[i + 1]!;
      const real = outdoor.filter((r) => inBand(r.distanceM)).map((r) => r.rssiDbm);
      if (real.length < 30) continue;
      const sim = simulated.filter((s) => inBand(s.distanceM)).map((s) => s.rssiDbm);
      expect(sim.length).toBeGreaterThan(real.length);
      const gap = median(sim) - median(real);
      rows.push(`${BANDS_M[i]}–${BANDS_M[i + 1]} m: real ${median(real)} dBm (n ${real.length}), simulated ${median(sim).toFixed(1)} dBm`);
      expect(Math.abs(gap), rows.at(-1)).toBeLessThanOrEqual(MAX_MEDIAN_GAP_DB);
      bandsCompared++;
    }
    console.info(rows.join('\n'));
    expect(bandsCompared).toBeGreaterThanOrEqual(4);
  });
});
