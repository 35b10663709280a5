import { describe, expect, it } from 'vitest';
import { beaconFrame, beaconPayloadFromFrame, beaconSeed, generateBeacon } from './beacon-payload';
import { parseLoraDatarate } from './datarate';
import { REGION_PARAMS, REGIONS, maxConductedPowerDbm } from './regions';
import { loraTimeOnAirMs } from './time-on-air';

// Helium oracle fixture (iot_verifier poc.rs tests; SPEC.md §Beacon payload, oracle/README.md §Helium reference, fixture 16).
const vector = {
  remoteEntropy: Buffer.from('b6aa3f80d9355f139d998626b8d1ff1776cda36ae11a10006a8d516546276b09', 'hex'),
  remoteEntropyTimestamp: 1677163710n,
  localEntropy: Uint8Array.from([233, 70, 25, 176]),
};

describe('beacon payload', () => {
  it('reproduces the Helium verifier test vector byte for byte', () => {
    expect(Buffer.from(beaconSeed(vector)).toString('hex')).toMatch(/^621ae546.*2cb93e8f$/);
    const beacon = generateBeacon(vector, REGION_PARAMS.EU868);
    expect(Buffer.from(beacon.data).toString('hex')).toBe(
      '1c99124160e83b92867d630caf4c9ed21cfd923bbbcb7a9231f19c944af6441108d43006983add9eba65253b877e1248f441ae',
    );
    expect(Buffer.from(beacon.data).toString('base64')).toBe('HJkSQWDoO5KGfWMMr0ye0hz9kju7y3qSMfGclEr2RBEI1DAGmDrdnrplJTuHfhJI9EGu');
    expect(beacon.frequency).toBe(867_900_000);
    expect(beacon.channel).toBe(4);
    expect(beacon.datarate).toBe('SF12BW125');
  });

  it('frames the beacon as gateway-rs puts it on air', () => {
    const { data } = generateBeacon(vector, REGION_PARAMS.EU868);
    const frame = beaconFrame(data);
    expect(Buffer.from(frame).toString('base64')).toBe('4ByZEkFg6DuShn1jDK9MntIc/ZI7u8t6kjHxnJRK9kQRCNQwBpg63Z66ZSU7h34SSPRBrg==');
    expect(beaconPayloadFromFrame(frame)).toEqual(data);
    expect(beaconPayloadFromFrame(frame.slice(0, 51))).toBeNull();
    expect(beaconPayloadFromFrame(Uint8Array.from([0x40, ...data]))).toBeNull();
  });

  it('changes completely with one bit of local entropy', () => {
    const a = generateBeacon(vector, REGION_PARAMS.EU868).data;
    const b = generateBeacon({ ...vector, localEntropy: Uint8Array.from([233, 70, 25, 177]) }, REGION_PARAMS.EU868).data;
    const same = a.filter((byte, i) => byte === b[i]).length;
    expect(same).toBeLessThan(10);
  });

  it('picks the slowest datarate that fits 51 bytes in each region', () => {
    expect(generateBeacon(vector, REGION_PARAMS.US915).datarate).toBe('SF9BW125');
    // AS923's 400 ms dwell time rules out SF12 (2.5 s for the 52-byte frame), SF11 and SF10 (616 ms): SF9 (329 ms).
    expect(generateBeacon(vector, REGION_PARAMS.AS923_1).datarate).toBe('SF9BW125');
    expect(generateBeacon(vector, { ...REGION_PARAMS.AS923_1, dwellTimeLimitMs: null }).datarate).toBe('SF12BW125');
    expect(generateBeacon(vector, REGION_PARAMS.EU868).datarate).toBe('SF12BW125');
    for (const region of REGIONS) {
      const params = REGION_PARAMS[region];
      const lora = parseLoraDatarate(generateBeacon(vector, params).datarate)!;
      const airtime = loraTimeOnAirMs({ spreadingFactor: lora.spreadingFactor, bandwidthHz: lora.bandwidthKhz * 1000, payloadBytes: 52 });
      expect(airtime, region).toBeLessThanOrEqual(params.dwellTimeLimitMs ?? Infinity);
    }
    expect(maxConductedPowerDbm(REGION_PARAMS.EU868, 12)).toBe(14);
    expect(maxConductedPowerDbm(REGION_PARAMS.US915, 80)).toBe(28);
  });
});
