import { INDOOR_PENETRATION_LOSS_DB, type DeviceProfile } from '@poc/oracle';
import { z } from 'zod';

/**
 * The device a carrier asks about (mapper/README.md, "Estimated coverage and confidence"). Defaults: a 14 dBm
 * transmitter with a 0 dBi antenna, outdoors, free to use any spreading factor (the slowest the region allows).
 * Bounds: LoRa radios transmit −10…30 dBm, device antennas −10…15 dBi.
 */
export const DEVICE_DEFAULTS = { tx_power_dbm: 14, antenna_gain_dbi: 0, spreading_factor: 'any', environment: 'outdoor' } as const;

export const deviceFields = {
  tx_power_dbm: z.coerce.number().min(-10).max(30).default(DEVICE_DEFAULTS.tx_power_dbm).describe('Device transmit power, dBm (conducted), −10…30; default 14'),
  antenna_gain_dbi: z.coerce.number().min(-10).max(15).default(DEVICE_DEFAULTS.antenna_gain_dbi).describe('Device antenna gain, dBi, −10…15; default 0'),
  spreading_factor: z
    .union([z.literal('any'), z.coerce.number().int().min(7).max(12)])
    .default(DEVICE_DEFAULTS.spreading_factor)
    .describe("LoRa spreading factor 7…12, or 'any' (default): the slowest the hotspot's region allows for uplinks (SF12; SF10 in US915/AU915)"),
  environment: z
    .enum(['outdoor', 'indoor'])
    .default(DEVICE_DEFAULTS.environment)
    .describe(`outdoor (default) or indoor: indoors the device loses ${INDOOR_PENETRATION_LOSS_DB} dB entering the building`),
};

export interface DeviceFields {
  tx_power_dbm: number;
  antenna_gain_dbi: number;
  spreading_factor: number | 'any';
  environment: 'outdoor' | 'indoor';
}

export function deviceProfileOf(q: DeviceFields): DeviceProfile {
  return { txPowerDdbm: Math.round(q.tx_power_dbm * 10), gainDdbi: Math.round(q.antenna_gain_dbi * 10), spreadingFactor: q.spreading_factor, indoor: q.environment === 'indoor' };
}

/** The device echoed in answers, so a carrier sees the defaults that applied. */
export function deviceEcho(q: DeviceFields) {
  return { tx_power_dbm: q.tx_power_dbm, antenna_gain_dbi: q.antenna_gain_dbi, spreading_factor: q.spreading_factor, environment: q.environment };
}
