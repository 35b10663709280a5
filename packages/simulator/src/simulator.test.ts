import { cellToParent, getResolution, gridDistance, isValidCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { beaconFrame, REGION_PARAMS, type Region } from '@poc/protocol';
import type { Rxpk, Txpk, TxpkAck } from '@poc/hotspot-firmware-bridge';
import type { VirtualForwarder } from '@poc/hotspot-firmware-bridge';
import { RadioMedium } from './medium';
import { planFleet, type FleetHotspot } from './plan';
import { DEFAULT_RADIO_MODEL, freeSpacePathLossDb, haversineM, oracleMaxRssiDbm, simulateLink } from './radio-model';
import { SeededRandom } from './rng';

describe('planFleet', () => {
  const fleet = planFleet({ count: 120, seed: 'plan-test', cheaters: { spoofedLocation: 3, fabricatedRssi: 2, replay: 2 } });

  it('is deterministic in the seed', () => {
    const again = planFleet({ count: 120, seed: 'plan-test', cheaters: { spoofedLocation: 3, fabricatedRssi: 2, replay: 2 } });
    expect(again.map((h) => [h.address, h.h3, h.gainDdbi, h.cheat])).toEqual(fleet.map((h) => [h.address, h.h3, h.gainDdbi, h.cheat]));
    expect(planFleet({ count: 5, seed: 'other' })[0]!.address).not.toBe(fleet[0]!.address);
  });

  it('places hotspots in real towns of EU868 and US915 clusters with res-12 cells and Helium-style names', () => {
    const regions = new Set(fleet.map((h) => h.region));
    expect(regions.has('EU868')).toBe(true);
    expect(regions.has('US915')).toBe(true);
    expect(new Set(planFleet({ count: 2, seed: 1 }).map((h) => h.region))).toEqual(new Set(['EU868', 'US915']));
    for (const h of fleet) {
      expect(isValidCell(h.h3) && getResolution(h.h3)).toBe(12);
      expect(h.town.length).toBeGreaterThan(0);
      expect(h.name).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/);
      expect(h.address.startsWith('1')).toBe(true);
    }
    expect(new Set(fleet.map((h) => h.h3)).size).toBe(fleet.length);
    expect(fleet.map((h) => h.cluster)).toContain('Paris');
  });

  it('puts most same-cluster pairs 0.5–60 km apart', () => {
    let pairs = 0;
    let inRange = 0;
    const honest = fleet.filter((h) => h.cheat !== 'spoofed_location');
    for (const a of honest) {
      for (const b of honest) {
        if (a.index >= b.index || a.cluster !== b.cluster) continue;
        pairs++;
        const d = haversineM(a.lat, a.lng, b.lat, b.lng);
        if (d >= 500 && d <= 60_000) inRange++;
      }
    }
    expect(pairs).toBeGreaterThan(500);
    expect(inRange / pairs).toBeGreaterThan(0.75);
  });

  it('marks cheaters; location spoofers assert a position far from their radio', () => {
    const count = (kind: FleetHotspot['cheat']) => fleet.filter((h) => h.cheat === kind).length;
    expect([count('spoofed_location'), count('fabricated_rssi'), count('replay')]).toEqual([3, 2, 2]);
    for (const h of fleet) {
      const displacement = haversineM(h.lat, h.lng, h.trueLat, h.trueLng);
      if (h.cheat === 'spoofed_location') expect(displacement).toBeGreaterThan(140_000);
      else expect(displacement).toBe(0);
    }
  });
});

describe('path-loss model statistics (log-distance, n = 2.9, σ = 6 dB)', () => {
  const rng = new SeededRandom('model-stats');
  const f = 867_900_000;
  const link = (distanceM: number) =>
    simulateLink({
      distanceM, frequencyHz: f, txPowerDbm: 14, txGainDdbi: 12, rxGainDdbi: 12, spreadingFactor: 12, bandwidthKhz: 125,
      linkShadow: rng.gaussian(), packetFading: rng.gaussian(),
    });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('gives mean RSSI at 1, 5 and 20 km in the expected ranges', () => {
    const at = (km: number) => mean(Array.from({ length: 3000 }, () => link(km * 1000).rssiDbm));
    // 14 dBm + 2.4 dBi − [FSPL(100 m) + 29·log10(d/100 m)]: −83.8, −104.1, −121.5 dBm.
    expect(at(1)).toBeGreaterThan(-86);
    expect(at(1)).toBeLessThan(-82);
    expect(at(5)).toBeGreaterThan(-106);
    expect(at(5)).toBeLessThan(-102);
    expect(at(20)).toBeGreaterThan(-124);
    expect(at(20)).toBeLessThan(-119);
    const spread = Array.from({ length: 3000 }, () => link(5000).rssiDbm);
    const sd = Math.sqrt(mean(spread.map((x) => (x - mean(spread)) ** 2)));
    expect(sd).toBeGreaterThan(5.5);
    expect(sd).toBeLessThan(7);
  });

  it('keeps the share of links above the oracle free-space ceiling small but not zero', () => {
    let above = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const d = 500 + rng.next() * 59_500;
      const r = link(d);
      if (r.rssiDbm > oracleMaxRssiDbm(14, 12, 12, d, f)) above++;
    }
    expect(above / n).toBeGreaterThan(0.001);
    expect(above / n).toBeLessThan(0.05);
  });

  it('loses links with distance: SF12 hears most at 20 km, few at 100 km', () => {
    const share = (km: number) => Array.from({ length: 2000 }, () => link(km * 1000).received).filter(Boolean).length / 2000;
    expect(share(5)).toBeGreaterThan(0.99);
    expect(share(20)).toBeGreaterThan(0.9);
    expect(share(100)).toBeLessThan(0.35);
    expect(share(150)).toBeLessThan(0.1);
    // The oracle's own vector: calc_expected_rssi(12 dBm, 867900024 Hz, 508 m, 81, 83) = −57.334232963418515.
    expect(oracleMaxRssiDbm(12, 81, 83, 508, 867_900_024)).toBeCloseTo(-57.334232963418515, 9);
    expect(freeSpacePathLossDb(508, 867_900_024)).toBeCloseTo(85.334232963418515, 9);
    expect(DEFAULT_RADIO_MODEL.pathLossExponent).toBe(2.9);
  });
});

/** Oracle witness checks that depend on geometry and radio (oracle/README.md §Verification: frequency to bad_rssi). */
function oracleVerdict(beaconer: FleetHotspot, witness: FleetHotspot, rxpk: Rxpk, txPower: number, beaconFreqHz: number): string {
  const witnessFreqHz = Math.round(rxpk.freq * 1e6);
  if (Math.abs(witnessFreqHz - beaconFreqHz) > 100_000) return 'invalid_frequency';
  if (beaconer.region !== witness.region) return 'invalid_region';
  if (gridDistance(cellToParent(beaconer.h3, 11), cellToParent(witness.h3, 11)) < 8) return 'below_min_distance';
  const d = Math.round(haversineM(beaconer.lat, beaconer.lng, witness.lat, witness.lng));
  if (Math.floor(d / 1000) > 100) return 'max_distance_exceeded';
  if (Math.trunc(rxpk.rssi * 10) / 10 > oracleMaxRssiDbm(txPower, beaconer.gainDdbi, witness.gainDdbi, d, witnessFreqHz)) return 'bad_rssi';
  return 'valid';
}

describe('radio medium over a planned fleet', () => {
  it('delivers beacons so most witnesses pass the oracle rules and cheaters fail', async () => {
    const fleet = planFleet({ count: 80, seed: 'medium-test', cheaters: { spoofedLocation: 4, fabricatedRssi: 4 } });
    const medium = new RadioMedium({ seed: 'medium-test', deliveryDelayMs: [0, 0] });
    const received: { to: FleetHotspot; rxpk: Rxpk }[] = [];
    const transmitters = new Map<string, (txpk: Txpk) => TxpkAck | undefined>();
    for (const hotspot of fleet) {
      const forwarder: VirtualForwarder = {
        deliver: (rxpk) => received.push({ to: hotspot, rxpk }),
        onTransmit: (handler) => transmitters.set(hotspot.address, handler),
        close: async () => {},
      };
      medium.attach(hotspot, forwarder);
    }
    const verdicts = new Map<string, number>();
    const cheaterVerdicts = new Map<string, number>();
    for (const beaconer of fleet) {
      received.length = 0;
      const params = REGION_PARAMS[beaconer.region as Region];
      const data = new Uint8Array(51).fill(beaconer.index);
      const frame = beaconFrame(data);
      const txPower = Math.trunc(params.maxEirpDdbm / 10 - beaconer.gainDdbi / 10);
      const freqHz = params.channelFrequencies[beaconer.index % 8]!;
      transmitters.get(beaconer.address)!({
        imme: true, freq: freqHz / 1e6, rfch: 0, powe: txPower, modu: 'LORA', datr: beaconer.region === 'EU868' ? 'SF12BW125' : 'SF9BW125',
        codr: '4/5', ipol: false, size: 52, data: Buffer.from(frame).toString('base64'),
      });
      await new Promise((r) => setTimeout(r, 2));
      for (const { to, rxpk } of received) {
        expect(rxpk.stat).toBe(1);
        expect(rxpk.payload).toEqual(frame);
        const verdict = oracleVerdict(beaconer, to, rxpk, txPower, freqHz);
        // A fabricated-RSSI or replay cheater still beacons honestly; its lies are in what it witnesses.
        const bucket = to.cheat || beaconer.cheat === 'spoofed_location' ? cheaterVerdicts : verdicts;
        bucket.set(verdict, (bucket.get(verdict) ?? 0) + 1);
      }
    }
    const total = [...verdicts.values()].reduce((a, b) => a + b, 0);
    const valid = verdicts.get('valid') ?? 0;
    console.info('honest witness verdicts', Object.fromEntries(verdicts), 'cheater-involved', Object.fromEntries(cheaterVerdicts));
    expect(total).toBeGreaterThan(500);
    expect(valid / total).toBeGreaterThan(0.8);
    expect(valid / total).toBeLessThan(1);
    const cheaterTotal = [...cheaterVerdicts.values()].reduce((a, b) => a + b, 0);
    expect((cheaterVerdicts.get('valid') ?? 0) / cheaterTotal).toBeLessThan(0.2);
    expect(medium.stats().fabricated).toBeGreaterThan(0);
  });
});
