import { describe, expect, it } from 'vitest';
import { beaconDatarate, isRegion, REGION_PARAMS, REGIONS, regionCode, regionFromCode } from './regions';

describe('regions', () => {
  it('numbers every plan by its place in REGIONS, stably (the u8 the chain stores)', () => {
    expect(REGIONS.map(regionCode)).toEqual(REGIONS.map((_, i) => i));
    expect(regionCode('EU868')).toBe(0);
    expect(regionCode('AS923_2')).toBe(4);
    expect(regionCode('EU433')).toBe(11);
    for (const region of REGIONS) expect(regionFromCode(regionCode(region))).toBe(region);
    for (const code of [-1, 12, 255, 1.5, Number.NaN]) expect(regionFromCode(code)).toBeNull();
    expect(() => regionCode('XX915' as never)).toThrow(/unknown region/);
    expect(isRegion('KR920')).toBe(true);
    expect(isRegion('kr920')).toBe(false);
  });

  it("carries Helium's channels, power limit and spreading table for the plans it added later", () => {
    // helium/lorawan-h3 region_params/*.json: first channel, count and max_eirp.
    const expected = {
      AS923_2: [921_400_000, 8, 160],
      AS923_3: [916_600_000, 8, 160],
      AS923_4: [917_300_000, 8, 160],
      KR920: [922_100_000, 7, 140],
      IN865: [865_062_500, 3, 300],
      RU864: [864_100_000, 7, 160],
      CN470: [486_300_000, 8, 191],
      EU433: [433_175_000, 3, 121],
    } as const;
    for (const [region, [first, count, eirp]] of Object.entries(expected)) {
      const params = REGION_PARAMS[region as keyof typeof expected];
      expect([params.region, params.channelFrequencies[0], params.channelFrequencies.length, params.maxEirpDdbm]).toEqual([region, first, count, eirp]);
      // SF10–SF12 carry only 25 bytes there, so the 51-byte beacon goes at SF9.
      expect(beaconDatarate(params, 51)).toBe('SF9BW125');
    }
    expect(REGION_PARAMS.RU864.channelFrequencies.slice(-2)).toEqual([868_900_000, 869_100_000]);
    expect(REGION_PARAMS.IN865.channelFrequencies).toEqual([865_062_500, 865_402_500, 865_985_000]);
  });

  it('states the dwell-time and duty-cycle rules of each plan', () => {
    const rules = Object.fromEntries(REGIONS.map((r) => [r, [REGION_PARAMS[r].dwellTimeLimitMs, REGION_PARAMS[r].dutyCyclePermille]]));
    expect(rules).toEqual({
      EU868: [null, 10],
      US915: [400, null],
      AU915: [400, null],
      AS923_1: [400, null],
      AS923_2: [400, null],
      AS923_3: [400, null],
      AS923_4: [400, null],
      KR920: [null, null],
      IN865: [null, null],
      RU864: [null, 1],
      CN470: [null, null],
      EU433: [null, 10],
    });
  });
});
