import { generateHotspotKeypair, verifyEntropy, canonicalEntropyBytes } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueEntropy } from '../src/entropy/publisher';
import { regionForLocation, syncRegistryFromChain, upsertHotspots, type ChainRegistryEntry } from '../src/registry/registry';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { LOC0, LOC4 } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('hotspot registry', () => {
  it('mirrors chain hotspots, derives region and lat/lng, and keeps PoC history on re-sync', async () => {
    const a = generateHotspotKeypair().address;
    const b = generateHotspotKeypair().address;
    let entries: ChainRegistryEntry[] = [
      { address: a, owner: 'owner1', maker: 'maker1', locationH3: LOC0, gainDdbi: 50, elevationM: 10 },
      { address: b, owner: 'owner2', maker: 'maker1', locationH3: null, gainDdbi: 12, elevationM: 0 },
    ];
    const client = { fetchRegistry: async () => entries };
    expect(await syncRegistryFromChain(db.sql, client)).toEqual({ upserted: 2 });
    await db.sql`UPDATE hotspots SET last_witness_at = now() WHERE address = ${a}`;
    entries = [{ ...entries[0]!, locationH3: LOC4, owner: 'owner3' }, entries[1]!];
    await syncRegistryFromChain(db.sql, client);
    const rows = await db.sql`SELECT address, owner, region, location_h3, gain_ddbi, lat, last_witness_at FROM hotspots ORDER BY name`;
    const byAddress = Object.fromEntries(rows.map((r) => [r.address, r]));
    expect(byAddress[a]).toMatchObject({ owner: 'owner3', region: 'EU868', location_h3: LOC4, gain_ddbi: 50 });
    expect(byAddress[a]!.lat).toBeCloseTo(35.9, 0);
    expect(byAddress[a]!.last_witness_at).not.toBeNull();
    expect(byAddress[b]).toMatchObject({ region: null, location_h3: null });
  });

  it('refuses a location coarser than resolution 11 and takes the region from the country map', async () => {
    await expect(upsertHotspots(db.sql, [{ address: generateHotspotKeypair().address, name: 'x', region: 'EU868', locationH3: '8a3f304e42e7fff' }])).rejects.toThrow('resolution');
    expect(regionForLocation(LOC0)).toBe('EU868');
    expect(regionForLocation('8c2a1072d6941ff')).toBe('US915'); // New York
    // The old longitude rule put Brazil in US915 and had no AS923-2; hplans regions.csv: BR AU915, VN AS923-2.
    expect(regionForLocation(latLngToCell(-23.55, -46.63, 12))).toBe('AU915'); // São Paulo
    expect(regionForLocation(latLngToCell(21.03, 105.85, 12))).toBe('AS923_2'); // Hanoi
    expect(regionForLocation(latLngToCell(0, -140, 12))).toBeNull(); // mid-Pacific
  });

  it('stores the region of the country each hotspot is asserted in, and none for one at sea', async () => {
    const places = { saoPaulo: [-23.55, -46.63], seoul: [37.56, 126.97], atSea: [0, -140] } as const;
    const entries: ChainRegistryEntry[] = Object.values(places).map(([lat, lng]) => ({
      address: generateHotspotKeypair().address,
      owner: 'owner',
      maker: 'maker',
      locationH3: latLngToCell(lat, lng, 12),
      gainDdbi: 12,
      elevationM: 0,
    }));
    await syncRegistryFromChain(db.sql, { fetchRegistry: async () => entries });
    const rows = await db.sql<{ address: string; region: string | null }[]>`
      SELECT address, region FROM hotspots WHERE address IN ${db.sql(entries.map((e) => e.address))}`;
    const regionOf = Object.fromEntries(rows.map((r) => [r.address, r.region]));
    expect(entries.map((e) => regionOf[e.address])).toEqual(['AU915', 'KR920', null]);
  });

  it("prefers the region the chain stores over the map's, and keeps none for a hotspot without a location", async () => {
    const saoPaulo = latLngToCell(-23.55, -46.63, 12);
    const entries: ChainRegistryEntry[] = [
      { address: generateHotspotKeypair().address, owner: 'o', maker: 'm', locationH3: saoPaulo, gainDdbi: 12, elevationM: 0, region: 'US915' },
      { address: generateHotspotKeypair().address, owner: 'o', maker: 'm', locationH3: saoPaulo, gainDdbi: 12, elevationM: 0, region: null },
      { address: generateHotspotKeypair().address, owner: 'o', maker: 'm', locationH3: null, gainDdbi: 12, elevationM: 0, region: 'EU868' },
    ];
    await syncRegistryFromChain(db.sql, { fetchRegistry: async () => entries });
    const rows = await db.sql<{ address: string; region: string | null }[]>`
      SELECT address, region FROM hotspots WHERE address IN ${db.sql(entries.map((e) => e.address))}`;
    const regionOf = Object.fromEntries(rows.map((r) => [r.address, r.region]));
    expect(entries.map((e) => regionOf[e.address])).toEqual(['US915', 'AU915', null]);
  });
});

describe('entropy', () => {
  it('is blake3(ts ‖ blockhash), signed by the oracle and stored', async () => {
    const oracle = generateHotspotKeypair();
    const blockhash = new Uint8Array(32).fill(9);
    const entropy = await issueEntropy(db.sql, oracle, 1_700_000_000_500, async () => blockhash);
    expect(entropy.timestamp).toBe(1_700_000_000n);
    expect(verifyEntropy(entropy, oracle.address)).toBe(true);
    expect(verifyEntropy(entropy, generateHotspotKeypair().address)).toBe(false);
    expect(canonicalEntropyBytes(entropy).length).toBeGreaterThan(32);
    const [row] = await db.sql`SELECT timestamp_s, version FROM entropy WHERE data = ${Buffer.from(entropy.data)}`;
    expect(row).toEqual({ timestamp_s: 1_700_000_000n, version: 0 });
  });
});
