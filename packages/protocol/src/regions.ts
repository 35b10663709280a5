import type { Datarate } from './datarate';

export const REGIONS = ['EU868', 'US915', 'AU915', 'AS923_1'] as const;
export type Region = (typeof REGIONS)[number];

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
}

const channelPlan = (firstHz: number, stepHz: number, count: number) =>
  Array.from({ length: count }, (_, i) => firstHz + i * stepHz);

/**
 * Region parameters as Helium's iot_config serves them for PoC (SPEC.md §Regions). EU868 is the exact verifier
 * fixture (oracle/README.md §Helium reference, fixture 16); the others use the sub-band Helium hotspots listen on and
 * LoRaWAN RP002 payload limits.
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
  },
};

/** The datarate a beacon of `payloadSize` bytes is sent at: the first spreading whose limit fits it. */
export function beaconDatarate(params: RegionParams, payloadSize: number): Datarate {
  const fit = params.spreading.find((s) => s.maxPacketSize >= payloadSize);
  if (!fit) throw new Error(`${params.region}: no spreading factor carries a ${payloadSize}-byte beacon`);
  return `SF${fit.spreadingFactor}BW${params.bandwidthHz / 1000}` as Datarate;
}

/** Conducted power for the beacon: max EIRP minus antenna gain, truncated to whole dBm (gateway-rs). */
export function maxConductedPowerDbm(params: RegionParams, antennaGainDdbi: number): number {
  return Math.trunc(params.maxEirpDdbm / 10 - antennaGainDdbi / 10);
}
