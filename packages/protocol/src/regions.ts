import type { Datarate } from './datarate';
import { loraTimeOnAirMs } from './time-on-air';

/**
 * Every LoRaWAN channel plan this network serves. The order is part of the wire format: `regionCode` (the index here)
 * is the u8 the chain stores, so new plans are only ever appended.
 */
export const REGIONS = [
  'EU868',
  'US915',
  'AU915',
  'AS923_1',
  'AS923_2',
  'AS923_3',
  'AS923_4',
  'KR920',
  'IN865',
  'RU864',
  'CN470',
  'EU433',
] as const;
export type Region = (typeof REGIONS)[number];

/** The stable numeric code of a region (u8 on chain). */
export function regionCode(region: Region): number {
  const code = REGIONS.indexOf(region);
  if (code < 0) throw new Error(`unknown region "${String(region)}"`);
  return code;
}

/** The region for a numeric code, or null when the code names none (an unknown or future plan). */
export function regionFromCode(code: number): Region | null {
  return Number.isInteger(code) && code >= 0 && code < REGIONS.length ? REGIONS[code]! : null;
}

/** Whether a string is one of `REGIONS` (exact spelling). */
export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}

export interface TaggedSpreading {
  spreadingFactor: 7 | 8 | 9 | 10 | 11 | 12;
  /** Largest PHY payload in bytes allowed at this spreading factor. */
  maxPacketSize: number;
}

export interface RegionParams {
  region: Region;
  /** Uplink channel centre frequencies in Hz, in the order the beacon channel index selects from. */
  channelFrequencies: number[];
  bandwidthHz: number;
  /** Regulatory maximum EIRP in dBm×10. */
  maxEirpDdbm: number;
  spreading: TaggedSpreading[];
  /** Longest time on air of one uplink transmission in ms where the plan imposes a dwell time; null where none. */
  dwellTimeLimitMs: number | null;
  /** Regulated transmit duty cycle in ‰ (10 = 1 %) on the beacon channels; null where none applies. */
  dutyCyclePermille: number | null;
}

const channelPlan = (firstHz: number, stepHz: number, count: number) =>
  Array.from({ length: count }, (_, i) => firstHz + i * stepHz);

/** Helium's table for every plan it added after its first four: SF10–SF12 carry 25 bytes, so beacons go at SF9. */
const HELIUM_SPREADING: TaggedSpreading[] = [
  { spreadingFactor: 12, maxPacketSize: 25 },
  { spreadingFactor: 11, maxPacketSize: 25 },
  { spreadingFactor: 10, maxPacketSize: 25 },
  { spreadingFactor: 9, maxPacketSize: 67 },
  { spreadingFactor: 8, maxPacketSize: 139 },
  { spreadingFactor: 7, maxPacketSize: 256 },
];

/**
 * Region parameters as Helium's iot_config serves them for PoC (SPEC.md §Regions). EU868 is the exact verifier
 * fixture (oracle/README.md §Helium reference, fixture 16); US915, AU915 and AS923_1 use the sub-band Helium hotspots
 * listen on and LoRaWAN RP002 payload limits; the plans after them take Helium's region parameter files (channels,
 * max EIRP, spreading table) as they are, except EU433 whose channels Helium wrote ten times too low (SPEC.md).
 * Dwell time and duty cycle are the regulatory rules of RP002 for the plan.
 */
export const REGION_PARAMS: Record<Region, RegionParams> = {
  EU868: {
    region: 'EU868',
    channelFrequencies: channelPlan(867_100_000, 200_000, 8),
    bandwidthHz: 125_000,
    maxEirpDdbm: 161,
    spreading: [
      { spreadingFactor: 12, maxPacketSize: 65 },
      { spreadingFactor: 9, maxPacketSize: 129 },
      { spreadingFactor: 8, maxPacketSize: 238 },
    ],
    dwellTimeLimitMs: null,
    dutyCyclePermille: 10,
  },
  US915: {
    region: 'US915',
    channelFrequencies: channelPlan(903_900_000, 200_000, 8),
    bandwidthHz: 125_000,
    maxEirpDdbm: 360,
    spreading: [
      { spreadingFactor: 10, maxPacketSize: 24 },
      { spreadingFactor: 9, maxPacketSize: 66 },
      { spreadingFactor: 8, maxPacketSize: 138 },
      { spreadingFactor: 7, maxPacketSize: 255 },
    ],
    dwellTimeLimitMs: 400,
    dutyCyclePermille: null,
  },
  AU915: {
    region: 'AU915',
    channelFrequencies: channelPlan(916_800_000, 200_000, 8),
    bandwidthHz: 125_000,
    maxEirpDdbm: 300,
    spreading: [
      { spreadingFactor: 10, maxPacketSize: 24 },
      { spreadingFactor: 9, maxPacketSize: 66 },
      { spreadingFactor: 8, maxPacketSize: 138 },
      { spreadingFactor: 7, maxPacketSize: 255 },
    ],
    dwellTimeLimitMs: 400,
    dutyCyclePermille: null,
  },
  AS923_1: {
    region: 'AS923_1',
    channelFrequencies: [923_200_000, 923_400_000, 922_200_000, 922_400_000, 922_600_000, 922_800_000, 923_000_000, 922_000_000],
    bandwidthHz: 125_000,
    maxEirpDdbm: 160,
    spreading: [
      { spreadingFactor: 12, maxPacketSize: 59 },
      { spreadingFactor: 9, maxPacketSize: 123 },
      { spreadingFactor: 8, maxPacketSize: 250 },
    ],
    dwellTimeLimitMs: 400,
    dutyCyclePermille: null,
  },
  AS923_2: heliumPlan('AS923_2', channelPlan(921_400_000, 200_000, 8), 160, { dwellTimeLimitMs: 400, dutyCyclePermille: null }),
  AS923_3: heliumPlan('AS923_3', channelPlan(916_600_000, 200_000, 8), 160, { dwellTimeLimitMs: 400, dutyCyclePermille: null }),
  AS923_4: heliumPlan('AS923_4', channelPlan(917_300_000, 200_000, 8), 160, { dwellTimeLimitMs: 400, dutyCyclePermille: null }),
  KR920: heliumPlan('KR920', channelPlan(922_100_000, 200_000, 7), 140, { dwellTimeLimitMs: null, dutyCyclePermille: null }),
  IN865: heliumPlan('IN865', [865_062_500, 865_402_500, 865_985_000], 300, { dwellTimeLimitMs: null, dutyCyclePermille: null }),
  // 864.1–864.9 MHz allows 0.1 % (RP002 RU864); the stricter band rules the beacon.
  RU864: heliumPlan('RU864', [...channelPlan(864_100_000, 200_000, 5), 868_900_000, 869_100_000], 160, {
    dwellTimeLimitMs: null,
    dutyCyclePermille: 1,
  }),
  CN470: heliumPlan('CN470', channelPlan(486_300_000, 200_000, 8), 191, { dwellTimeLimitMs: null, dutyCyclePermille: null }),
  EU433: heliumPlan('EU433', channelPlan(433_175_000, 200_000, 3), 121, { dwellTimeLimitMs: null, dutyCyclePermille: 10 }),
};

function heliumPlan(
  region: Region,
  channelFrequencies: number[],
  maxEirpDdbm: number,
  rules: Pick<RegionParams, 'dwellTimeLimitMs' | 'dutyCyclePermille'>,
): RegionParams {
  return { region, channelFrequencies, bandwidthHz: 125_000, maxEirpDdbm, spreading: [...HELIUM_SPREADING], ...rules };
}

/**
 * The datarate a beacon of `payloadSize` bytes is sent at: the first (slowest) spreading whose limit fits it and, in a
 * plan with a dwell time, whose time on air for the `frameSize`-byte frame (payload + MHDR) stays within it
 * (SPEC.md §Regions, §Time on air).
 */
export function beaconDatarate(params: RegionParams, payloadSize: number, frameSize = payloadSize): Datarate {
  const withinDwell = (s: TaggedSpreading) =>
    params.dwellTimeLimitMs === null ||
    loraTimeOnAirMs({ spreadingFactor: s.spreadingFactor, bandwidthHz: params.bandwidthHz, payloadBytes: frameSize }) <= params.dwellTimeLimitMs;
  const fit = params.spreading.find((s) => s.maxPacketSize >= payloadSize && withinDwell(s));
  if (!fit) throw new Error(`${params.region}: no spreading factor carries a ${payloadSize}-byte beacon within the plan's limits`);
  return `SF${fit.spreadingFactor}BW${params.bandwidthHz / 1000}` as Datarate;
}

/** Conducted power for the beacon: max EIRP minus antenna gain, truncated to whole dBm (gateway-rs). */
export function maxConductedPowerDbm(params: RegionParams, antennaGainDdbi: number): number {
  return Math.trunc(params.maxEirpDdbm / 10 - antennaGainDdbi / 10);
}
