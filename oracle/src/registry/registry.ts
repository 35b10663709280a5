import { cellToLatLng, getResolution, isValidCell } from 'h3-js';
import { decodeHotspotAddress, type Region } from '@poc/protocol';
import { regionForCell } from '@poc/protocol/region-map';
import type { Sql } from 'postgres';

/** A hotspot as the registry knows it (chain account or dev-network genesis). */
export interface HotspotRecord {
  /** Helium-style b58check address of the Ed25519 key. */
  address: string;
  name: string;
  owner?: string | null;
  maker?: string | null;
  /** 'EU868', 'US915', …; null when not asserted. */
  region: string | null;
  /** Asserted H3 cell, resolution ≥ 11 (h3-js string); null when not asserted. */
  locationH3: string | null;
  gainDdbi?: number;
  elevationM?: number;
  isFullHotspot?: boolean;
  locationAssertedAt?: Date | null;
}

function row(h: HotspotRecord) {
  const pubkey = Buffer.from(decodeHotspotAddress(h.address));
  const located = h.locationH3 !== null && isValidCell(h.locationH3) && getResolution(h.locationH3) >= 11;
  if (h.locationH3 !== null && !located) throw new Error(`${h.address}: location ${h.locationH3} is not an H3 cell of resolution ≥ 11`);
  const [lat, lng] = located ? cellToLatLng(h.locationH3!) : [null, null];
  return {
    address: h.address,
    pubkey,
    name: h.name,
    owner: h.owner ?? null,
    maker: h.maker ?? null,
    region: h.region,
    location_h3: located ? h.locationH3 : null,
    lat,
    lng,
    gain_ddbi: h.gainDdbi ?? 12,
    elevation_m: h.elevationM ?? 0,
    is_full_hotspot: h.isFullHotspot ?? true,
    location_asserted_at: h.locationAssertedAt ?? (located ? new Date() : null),
  };
}

/** Inserts or updates hotspots by address (PoC timestamps and trust are left alone). Returns how many rows it wrote. */
export async function upsertHotspots(sql: Sql, hotspots: readonly HotspotRecord[]): Promise<number> {
  let written = 0;
  // Rows are locked in address order, as the PoC processor locks them, so concurrent writers never deadlock.
  const sorted = [...hotspots].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 2000) {
    const rows = sorted.slice(i, i + 2000).map(row);
    const result = await sql`
      INSERT INTO hotspots ${sql(rows)}
      ON CONFLICT (address) DO UPDATE SET
        name = EXCLUDED.name, owner = EXCLUDED.owner, maker = EXCLUDED.maker, region = EXCLUDED.region,
        location_h3 = EXCLUDED.location_h3, lat = EXCLUDED.lat, lng = EXCLUDED.lng, gain_ddbi = EXCLUDED.gain_ddbi,
        elevation_m = EXCLUDED.elevation_m, is_full_hotspot = EXCLUDED.is_full_hotspot,
        location_asserted_at = CASE WHEN hotspots.location_h3 IS DISTINCT FROM EXCLUDED.location_h3
                                    THEN EXCLUDED.location_asserted_at ELSE hotspots.location_asserted_at END,
        updated_at = now()`;
    written += result.count;
  }
  return written;
}

/** A hotspot account as the chain client's `fetchRegistry()` returns it. */
export interface ChainRegistryEntry {
  /** Helium-style b58check address of the hotspot key. */
  address: string;
  owner: string;
  maker: string;
  /** Asserted H3 cell (h3-js string), null when no location is asserted. */
  locationH3: string | null;
  gainDdbi: number;
  elevationM: number;
  locationAssertedAt?: Date | null;
  /** Region when the chain knows it; otherwise derived from the location. */
  region?: string | null;
  name?: string;
  isFullHotspot?: boolean;
}

/** What the oracle needs from the chain engineer's client to mirror the registry (PocNetworkClient fits). */
export interface RegistryChainClient {
  fetchRegistry(): Promise<ChainRegistryEntry[]>;
}

/**
 * LoRaWAN region of an asserted cell: Helium's plan for the country the cell's centre lies in (packages/protocol
 * SPEC.md §Region of a location). Null at sea and where Helium served no plan; the verifier then treats the hotspot as
 * not asserted.
 */
export function regionForLocation(cell: string): Region | null {
  return regionForCell(cell);
}

/** Mirrors every on-chain hotspot into the registry. Hotspots never disappear here (history references them). */
export async function syncRegistryFromChain(sql: Sql, chainClient: RegistryChainClient): Promise<{ upserted: number }> {
  const onChain = await chainClient.fetchRegistry();
  const records: HotspotRecord[] = onChain.map((h) => ({
    address: h.address,
    name: h.name ?? h.address.slice(-8),
    owner: h.owner,
    maker: h.maker,
    // The region stored on chain (signed by the owner with the location) wins; the map only fills in when it has none.
    region: h.locationH3 ? (h.region ?? regionForLocation(h.locationH3)) : null,
    locationH3: h.locationH3,
    gainDdbi: h.gainDdbi,
    elevationM: h.elevationM,
    isFullHotspot: h.isFullHotspot,
    locationAssertedAt: h.locationAssertedAt ?? null,
  }));
  return { upserted: await upsertHotspots(sql, records) };
}

/** Denylist entries (Helium's denylist; here curated by the network operator). */
export async function denyHotspots(sql: Sql, addresses: readonly string[], tag = '0'): Promise<void> {
  if (addresses.length === 0) return;
  await sql`INSERT INTO denylist_keys ${sql(addresses.map((address) => ({ address, tag })))} ON CONFLICT (address) DO UPDATE SET tag = EXCLUDED.tag`;
}

export async function denyEdges(sql: Sql, edges: readonly [string, string][], tag = '0'): Promise<void> {
  if (edges.length === 0) return;
  const rows = edges.map(([x, y]) => (x < y ? { a: x, b: y, tag } : { a: y, b: x, tag }));
  await sql`INSERT INTO denylist_edges ${sql(rows)} ON CONFLICT (a, b) DO UPDATE SET tag = EXCLUDED.tag`;
}
