import { describe, expect, it } from 'vitest';
import {
  calcExpectedRssi,
  cellDistanceRes11,
  distanceMeters,
  toCell,
  verifyBeaconPayload,
  verifyBeaconSchedule,
  verifyCapability,
  verifyEntropyWindow,
  verifySelfWitness,
  verifyWitnessCellDistance,
  verifyWitnessData,
  verifyWitnessDistance,
  verifyWitnessFrequency,
  verifyWitnessLag,
  verifyWitnessNotEarly,
  verifyWitnessRegion,
  verifyWitnessRssi,
} from './checks';
import { ENTROPY_TS_S, LOCAL_ENTROPY, POC_DATA, REMOTE_ENTROPY } from './fixtures';

// Helium iot_verifier poc.rs fixtures (oracle/README.md §Helium reference, fixtures 2–8 and 16).
const LOC0 = toCell(631615575095659519n); // Malta
const LOC1 = toCell(631615576056478207n); // Malta, 22.7 km out
const LOC2 = toCell(631278052025960447n); // Armenia
const LOC3 = toCell(627111975468974079n); // 7 cells from LOC0
const LOC4 = toCell(627111975465463807n); // 28 cells from LOC0
const s = (n: number) => n * 1000;

describe('Helium verifier checks', () => {
  it('distance between cells: London fixture 14 318 m and 360 res-11 cells', () => {
    const a = toCell(644459695463521437n);
    const b = toCell(644460986971331488n);
    expect(distanceMeters(a, b)).toBe(14318);
    expect(cellDistanceRes11(a, b)).toBe(360);
  });

  it('expected RSSI matches calc_expected_rssi exactly', () => {
    expect(calcExpectedRssi(12, 867900024, 508, 81, 83)).toBe(-57.334232963418515);
  });

  it('entropy window is whole seconds and inclusive', () => {
    const now = 1_700_000_000_000;
    const start = Math.floor((now - s(60)) / 1000);
    const end = Math.floor((now - s(10)) / 1000);
    expect(verifyEntropyWindow(start, end, now - s(30))).toBeNull();
    expect(verifyEntropyWindow(start, end, now - s(1))).toBe('entropy_expired');
    expect(verifyEntropyWindow(start, end, now - s(65))).toBe('entropy_expired');
    expect(verifyEntropyWindow(start, end, end * 1000 + 999)).toBeNull();
  });

  it('beacon schedule: one beacon per 6 h bucket', () => {
    const interval = 21600;
    const last = Date.UTC(2023, 0, 2, 0, 0, 1);
    expect(verifyBeaconSchedule(last, last + s(interval) + s(3600), interval)).toBeNull();
    expect(verifyBeaconSchedule(last, last + s(interval / 2), interval)).toBe('irregular_interval');
    expect(verifyBeaconSchedule(last, last - s(interval + 3600), interval)).toBe('irregular_interval');
    expect(verifyBeaconSchedule(null, last, interval)).toBeNull();
  });

  it('witness lag: 4 s after the beacon, or 1.5 s after an earlier first witness', () => {
    const now = 1_700_000_000_000;
    const t = (sec: number) => now + s(sec);
    expect(verifyWitnessLag(t(-60), t(-59), t(-58))).toBeNull();
    expect(verifyWitnessLag(t(-60), t(-64), t(-63))).toBeNull();
    expect(verifyWitnessLag(t(-60), t(-59), t(-55))).toBe('too_late');
    expect(verifyWitnessLag(t(-55), t(-60), t(-58))).toBe('too_late');
    expect(verifyWitnessLag(t(-55), t(-60), t(-60))).toBeNull();
  });

  it('beyond Helium: a witness may precede its beacon by at most 1.5 s', () => {
    const beaconRx = 1_700_000_000_000;
    expect(verifyWitnessNotEarly(beaconRx, beaconRx - 1500)).toBeNull();
    expect(verifyWitnessNotEarly(beaconRx, beaconRx + 60_000)).toBeNull(); // lateness is verifyWitnessLag's job
    expect(verifyWitnessNotEarly(beaconRx, beaconRx - 1501)).toBe('too_early');
    expect(verifyWitnessNotEarly(beaconRx, beaconRx - 145_000)).toBe('too_early');
  });

  it('self witness, capability, data, region', () => {
    expect(verifySelfWitness('k1', 'k2')).toBeNull();
    expect(verifySelfWitness('k1', 'k1')).toBe('self_witness');
    expect(verifyCapability(true)).toBeNull();
    expect(verifyCapability(false)).toBe('invalid_capability');
    expect(verifyWitnessData(Buffer.from('data1'), Buffer.from('data1'))).toBeNull();
    expect(verifyWitnessData(Buffer.from('data1'), Buffer.from('data2'))).toBe('invalid_packet');
    expect(verifyWitnessRegion('US915', 'US915')).toBeNull();
    expect(verifyWitnessRegion('US915', 'EU868')).toBe('invalid_region');
  });

  it('frequency tolerance is 100 kHz inclusive', () => {
    const f = 904499968;
    expect(verifyWitnessFrequency(f, f + 90_000)).toBeNull();
    expect(verifyWitnessFrequency(f, f + 100_000)).toBeNull();
    expect(verifyWitnessFrequency(f, f + 110_000)).toBe('invalid_frequency');
    expect(verifyWitnessFrequency(867_100_000, 867_900_000)).toBe('invalid_frequency');
  });

  it('max distance: LOC1 (22.7 km) ok, LOC2 (2622 km) exceeded', () => {
    expect(verifyWitnessDistance(LOC0, LOC1)).toBeNull();
    expect(verifyWitnessDistance(LOC0, LOC2)).toBe('max_distance_exceeded');
  });

  it('min distance: LOC3 (7 cells) too close, LOC4 (28 cells) ok', () => {
    expect(cellDistanceRes11(LOC0, LOC3)).toBe(7);
    expect(cellDistanceRes11(LOC0, LOC4)).toBe(28);
    expect(verifyWitnessCellDistance(LOC0, LOC3)).toBe('below_min_distance');
    expect(verifyWitnessCellDistance(LOC0, LOC4)).toBeNull();
    expect(verifyWitnessCellDistance(LOC0, toCell(0x8a3f304e42e7fffn))).toBe('below_min_distance'); // res 10: H3 cannot tell
  });

  it('RSSI above the free-space maximum is rejected', () => {
    expect(verifyWitnessRssi(-1060, 904700032, 27, 80, 12, LOC0, LOC1)).toBeNull();
    expect(verifyWitnessRssi(-19, 904499968, 27, 12, 12, LOC0, LOC2)).toBe('bad_rssi');
    expect(verifyWitnessRssi(-1080, 867900032, 8, 12, 20, LOC0, LOC4)).toBeNull();
    expect(verifyWitnessRssi(300, 867900032, 8, 12, 20, LOC0, LOC4)).toBe('bad_rssi');
    // threshold −82.59 dBm at LOC4: −825 ddBm passes, −825.8 cannot be sent, −825 vs −826 brackets it
    expect(verifyWitnessRssi(-826, 867900032, 8, 12, 20, LOC0, LOC4)).toBeNull();
    expect(verifyWitnessRssi(-825, 867900032, 8, 12, 20, LOC0, LOC4)).toBe('bad_rssi');
  });

  it('beacon payload is regenerated from the entropy (Helium POC_DATA vector)', () => {
    const claim = {
      region: 'EU868',
      remoteEntropy: REMOTE_ENTROPY,
      entropyTimestampS: ENTROPY_TS_S,
      localEntropy: LOCAL_ENTROPY,
      data: POC_DATA,
      frequency: 867_900_000,
      datarate: 'SF12BW125',
    };
    expect(verifyBeaconPayload(claim)).toBeNull();
    expect(verifyBeaconPayload({ ...claim, data: POC_DATA.slice(0, 17) })).toBe('invalid_packet');
    expect(verifyBeaconPayload({ ...claim, frequency: 867_100_000 })).toBe('invalid_packet');
    expect(verifyBeaconPayload({ ...claim, datarate: 'SF9BW125' })).toBe('invalid_packet');
    expect(verifyBeaconPayload({ ...claim, entropyTimestampS: ENTROPY_TS_S + 1 })).toBe('invalid_packet');
  });
});
