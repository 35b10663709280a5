import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHotspotKeypair } from '@poc/protocol';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { runMakerDevicesCli } from '../src/cli/maker-devices';
import { findMakerDevice, registerMakerDevices } from '../src/onboarding/maker-devices';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const MAKER = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin';
async function cli(argv: string[], input = '') {
  const lines: string[] = [];
  const code = await runMakerDevicesCli([...argv, '--database-url', db.url], { out: (l) => lines.push(l), readInput: () => input }, {});
  return { code, out: lines.join('\n') };
}

describe("the maker's device list", () => {
  const batch = Array.from({ length: 3 }, () => generateHotspotKeypair().address);

  it('registers a batch from a list of addresses, and leaves keys already listed as they are', async () => {
    const first = await cli(['register', '--maker', MAKER, '--batch', '2026-11-A'], `${batch[0]}\n${batch[1]}\n\n`);
    expect(first).toEqual({ code: 0, out: 'registered 2 hotspots in batch 2026-11-A' });
    const again = await cli(['register', '--maker', MAKER, '--batch', '2026-11-B'], batch.join(' '));
    expect(again.out).toBe('registered 1 hotspots in batch 2026-11-B; 2 were already listed and left as they are');
    expect(await findMakerDevice(db.sql, batch[0]!)).toMatchObject({ maker: MAKER, batch: '2026-11-A', status: 'manufactured' });
  });

  it('refuses input that is not hotspot addresses, a bad batch name and missing arguments, with the reason', async () => {
    expect(await cli(['register', '--maker', MAKER, '--batch', 'x'], 'not-an-address')).toEqual({ code: 1, out: 'error: 1 entries are not hotspot addresses, e.g. "not-an-address"' });
    await expect(registerMakerDevices(db.sql, { maker: MAKER, batch: 'a b', hotspots: [] })).rejects.toThrow(/batch "a b" must be/);
    expect((await cli(['register', '--batch', 'x'])).code).toBe(2);
    expect((await cli(['revoke', '--maker', MAKER, '--reason', 'r'])).code).toBe(2);
    expect((await cli(['delete'])).code).toBe(2);
  });

  it('lists and revokes by address or by batch', async () => {
    expect((await cli(['list', '--maker', MAKER])).out.split('\n')).toHaveLength(3);
    expect((await cli(['revoke', '--maker', MAKER, batch[2]!, '--reason', 'returned'])).out).toBe('revoked 1 hotspots');
    expect((await cli(['revoke', '--maker', MAKER, '--batch', '2026-11-A', '--reason', 'recall'])).out).toBe('revoked 2 hotspots');
    expect((await cli(['revoke', '--maker', 'someone-else', '--batch', '2026-11-A', '--reason', 'x'])).out).toBe('revoked 0 hotspots');
    expect(await findMakerDevice(db.sql, batch[1]!)).toMatchObject({ status: 'revoked', revoked_reason: 'recall' });
    expect((await cli(['list', '--batch', '2026-11-B'])).out).toBe(`${batch[2]}\t2026-11-B\trevoked\t\treturned`);
  });
});
