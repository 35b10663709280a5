import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { allocateMapping, mappingRewardUnits, splitMappingPool } from '../src/rewards/mapping';
import { hotspot, seedHotspots } from './helpers';

/**
 * Mapping rewards and their self-dealing bounds (oracle/README.md §Mapping rewards) over real PostgreSQL: rows as the
 * oracle's frame judging leaves them (plausible frames with their valid receipts).
 */
let db: TestDatabase;
const MINE = hotspot(latLngToCell(52.52, 13.405, 12)); // owned by the mapper's owner
const OTHER = hotspot(latLngToCell(52.523, 13.412, 12));
const MAPPER_OWNER = 'MapperOwner1111111111111111111111111111111';
const EPOCH = { from: new Date('2026-11-30T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
let frames = 0;

async function heardFrame(device: number, lat: number, lng: number, at: Date, by: (typeof MINE)[]) {
  const id = ++frames;
  await db.sql`
    INSERT INTO mapper_frames (id, frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, receipt_count, hotspot_count)
    VALUES (${id}, ${Buffer.from([0xe0, 0x4d, id & 0xff, id >> 8])}, ${device}, ${id}, ${lat}, ${lng}, ${latLngToCell(lat, lng, 9)}, 9, 9, ${at}, 'plausible', ${by.length}, ${by.length})`;
  for (const h of by) {
    await db.sql`
      INSERT INTO mapper_receipts (hash, hotspot, topic, received_at, frame, device_id, report_ts_ns, gateway_time_ns, tmst, signal, snr, frequency, datarate, payload, status, frame_id)
      VALUES (${`${id}-${h.keys.address}`}, ${h.keys.address}, 't', ${at}, ${Buffer.from([0xe0, 0x4d, id & 0xff, id >> 8])}, ${device}, 0, 0, 0, -900, 50, 868100000, 'SF9BW125', ${Buffer.from([0])}, 'valid', ${id})`;
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedHotspots(db.sql, [MINE, OTHER]);
  await db.sql`UPDATE hotspots SET owner = ${MAPPER_OWNER} WHERE address = ${MINE.keys.address}`;
  await db.sql`UPDATE hotspots SET owner = 'SomeoneElse11111111111111111111111111111111' WHERE address = ${OTHER.keys.address}`;
  for (const [device, owner] of [[1, MAPPER_OWNER], [2, 'ThirdParty111111111111111111111111111111111']] as const) {
    await db.sql`INSERT INTO mapper_devices (device_id, owner, sealed_key, registration_signature, issued_at) VALUES (${device}, ${owner}, ${Buffer.alloc(76)}, ${Buffer.alloc(64)}, now())`;
  }
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

const t = (h: number) => new Date(EPOCH.from.getTime() + h * 3_600_000);

describe('mapping rewards', () => {
  it("a hotspot owner driving his own mapper past his own hotspot earns nothing for that pair; other pairs earn per distinct cell, capped", async () => {
    // Device 1 (owner = MINE's owner): cell a heard only by MINE; cell b heard by both, twice; cell c by OTHER.
    await heardFrame(1, 52.521, 13.408, t(1), [MINE]);
    await heardFrame(1, 52.525, 13.42, t(2), [MINE, OTHER]);
    await heardFrame(1, 52.525, 13.42, t(3), [MINE, OTHER]);
    await heardFrame(1, 52.53, 13.43, t(4), [OTHER]);
    // Device 2 (a third party) past MINE: a fair pair.
    await heardFrame(2, 52.521, 13.408, t(5), [MINE]);
    // Outside the epoch: not counted.
    await heardFrame(2, 52.54, 13.44, t(30), [OTHER]);

    const units = await mappingRewardUnits(db.sql, EPOCH);
    expect(Object.fromEntries(units.hotspots)).toEqual({ [OTHER.keys.address]: 2n, [MINE.keys.address]: 1n });
    // Device 1 maps b and c (heard by someone else's hotspot), not a (only his own hotspot heard it); device 2 maps a.
    expect(Object.fromEntries(units.owners)).toEqual({ [MAPPER_OWNER]: 2n, ThirdParty111111111111111111111111111111111: 1n });

    const capped = await mappingRewardUnits(db.sql, EPOCH, { hotspotCellCap: 1, deviceCellCap: 1, staleAfterDays: 30 });
    expect(Object.fromEntries(capped.hotspots)).toEqual({ [OTHER.keys.address]: 1n, [MINE.keys.address]: 1n });
    expect(capped.owners.get(MAPPER_OWNER)).toBe(1n);
  });

  it('mapper owners earn only for new or stale cells', async () => {
    const next = { from: EPOCH.to, to: new Date(EPOCH.to.getTime() + 86_400_000) };
    await heardFrame(2, 52.53, 13.43, new Date(next.from.getTime() + 3_600_000), [OTHER]); // mapped yesterday by device 1
    await heardFrame(2, 52.55, 13.45, new Date(next.from.getTime() + 7_200_000), [OTHER]); // new
    // New: 52.55 and 52.54 (the frame at t(30) above falls in this epoch); not 52.53, mapped the day before.
    const units = await mappingRewardUnits(db.sql, next);
    expect(Object.fromEntries(units.owners)).toEqual({ ThirdParty111111111111111111111111111111111: 2n });
    // With no staleness window every cell counts again.
    const later = await mappingRewardUnits(db.sql, next, { hotspotCellCap: 200, deviceCellCap: 500, staleAfterDays: 0 });
    expect(later.owners.get('ThirdParty111111111111111111111111111111111')).toBe(3n);
  });

  it('splits the pools exactly', () => {
    expect(splitMappingPool(640_000n)).toEqual({ mappingPool: 64_000n, witnessPool: 576_000n });
    const paid = allocateMapping(1_000n, new Map([['b', 1n], ['a', 1n], ['c', 1n]]));
    expect([...paid]).toEqual([['a', 334n], ['b', 333n], ['c', 333n]]);
    expect([...paid.values()].reduce((x, y) => x + y)).toBe(1_000n);
  });
});
