import { REFERENCE_DEVICE, type DeviceProfile } from '@poc/oracle';
import { describe, expect, it } from 'vitest';
import { deviceKey } from './link-tables';

describe('deviceKey', () => {
  it('gives every device the API accepts its own number', () => {
    const keys = new Map<number, string>();
    // Every profile within the API's bounds (−10…30 dBm, −10…15 dBi, SF 7…12 or any, indoor or not), in 0.5 dB steps.
    for (let tx = -100; tx <= 300; tx += 5) {
      for (let gain = -100; gain <= 150; gain += 5) {
        for (const spreadingFactor of ['any', 7, 8, 9, 10, 11, 12] as const) {
          for (const indoor of [false, true]) {
            const key = deviceKey({ txPowerDdbm: tx, gainDdbi: gain, spreadingFactor, indoor });
            const name = `${tx}|${gain}|${spreadingFactor}|${indoor}`;
            expect(keys.get(key), `${name} shares its key`).toBeUndefined();
            keys.set(key, name);
          }
        }
      }
    }
    expect(keys.size).toBe(81 * 51 * 7 * 2);
    expect(deviceKey(REFERENCE_DEVICE)).toBe(deviceKey({ txPowerDdbm: 140, gainDdbi: 0, spreadingFactor: 'any', indoor: false }));
  });

  it('refuses a profile it cannot key instead of letting two devices share cached answers', () => {
    const bad: DeviceProfile[] = [
      { ...REFERENCE_DEVICE, txPowerDdbm: 1001 },
      { ...REFERENCE_DEVICE, gainDdbi: -1001 },
      { ...REFERENCE_DEVICE, txPowerDdbm: 140.5 },
      { ...REFERENCE_DEVICE, spreadingFactor: 6 },
      { ...REFERENCE_DEVICE, spreadingFactor: 13 },
      { ...REFERENCE_DEVICE, gainDdbi: Number.NaN },
    ];
    for (const device of bad) expect(() => deviceKey(device), JSON.stringify(device)).toThrow(RangeError);
  });
});
