import { cellToParent, latLngToCell } from 'h3-js';
import type { Sql } from 'postgres';
import { generateHotspotKeypair } from '@poc/protocol';

export interface FixtureHotspot {
  address: string;
  name: string;
  lat: number;
  lng: number;
}

export interface FixtureHex {
  h3: string;
  rssi: number; // dBm×10
  snr: number; // dB×10
  witnesses: number;
  lastSeen: Date;
  firstSeen: Date;
  heardBy: string[];
}

export async function insertHotspot(sql: Sql, name: string, lat: number, lng: number, extra: { lastBeaconAt?: Date; owner?: string } = {}): Promise<FixtureHotspot> {
  const key = generateHotspotKeypair();
  await sql`
    INSERT INTO hotspots (address, pubkey, name, owner, maker, region, location_h3, lat, lng, last_beacon_at, location_asserted_at)
    VALUES (${key.address}, ${Buffer.from(key.publicKey)}, ${name}, ${extra.owner ?? 'OwnerWa11et111111111111111111111111111111111'}, 'maker-1', 'EU868',
            ${latLngToCell(lat, lng, 12)}, ${lat}, ${lng}, ${extra.lastBeaconAt ?? new Date()}, now())`;
  return { address: key.address, name, lat, lng };
}

/**
 * Writes res-9 coverage and its res 4..8 rollups the way the oracle does: best signal is the max,
 * counts add up, first/last seen are min/max.
 */
export async function insertCoverage(sql: Sql, hexes: FixtureHex[]): Promise<void> {
  type Agg = { rssi: number; snr: number; witnesses: number; hotspots: Set<string>; first: Date; last: Date };
  const rows = new Map<string, Agg & { res: number }>();
  for (const hex of hexes) {
    for (let res = 4; res <= 9; res++) {
      const cell = res === 9 ? hex.h3 : cellToParent(hex.h3, res);
      const agg = rows.get(cell);
      if (!agg) {
        rows.set(cell, { res, rssi: hex.rssi, snr: hex.snr, witnesses: hex.witnesses, hotspots: new Set(hex.heardBy), first: hex.firstSeen, last: hex.lastSeen });
      } else {
        agg.rssi = Math.max(agg.rssi, hex.rssi);
        agg.snr = Math.max(agg.snr, hex.snr);
        agg.witnesses += hex.witnesses;
        hex.heardBy.forEach((h) => agg.hotspots.add(h));
        if (hex.firstSeen < agg.first) agg.first = hex.firstSeen;
        if (hex.lastSeen > agg.last) agg.last = hex.lastSeen;
      }
    }
  }
  const coverage = [...rows].map(([h3, a]) => ({
    h3,
    resolution: a.res,
    best_rssi: a.rssi,
    best_snr: a.snr,
    witness_count: a.witnesses,
    hotspot_count: a.hotspots.size,
    first_seen_at: a.first,
    last_seen_at: a.last,
  }));
  for (let i = 0; i < coverage.length; i += 1000) await sql`INSERT INTO coverage_hexes ${sql(coverage.slice(i, i + 1000))}`;
  const heard = hexes.flatMap((hex) =>
    hex.heardBy.map((hotspot) => ({ h3: hex.h3, hotspot, best_rssi: hex.rssi, best_snr: hex.snr, witness_count: hex.witnesses, last_seen_at: hex.lastSeen })),
  );
  for (let i = 0; i < heard.length; i += 1000) await sql`INSERT INTO coverage_hex_hotspots ${sql(heard.slice(i, i + 1000))}`;

  // Daily history (what time filters read): each hex's witnesses split over its hotspots, all on its last-seen UTC day,
  // rolled up to res 4..8 per (cell, day, hotspot) like the oracle does.
  const days = new Map<string, { h3: string; day: string; hotspot: string; best_rssi: number; best_snr: number; witness_count: number; last_seen_at: Date }>();
  for (const hex of hexes) {
    const day = hex.lastSeen.toISOString().slice(0, 10);
    hex.heardBy.forEach((hotspot, k) => {
      const share = Math.floor(hex.witnesses / hex.heardBy.length) + (k === 0 ? hex.witnesses % hex.heardBy.length : 0);
      for (let res = 4; res <= 9; res++) {
        const h3 = res === 9 ? hex.h3 : cellToParent(hex.h3, res);
        const row = days.get(`${h3}|${day}|${hotspot}`);
        if (!row) days.set(`${h3}|${day}|${hotspot}`, { h3, day, hotspot, best_rssi: hex.rssi, best_snr: hex.snr, witness_count: share, last_seen_at: hex.lastSeen });
        else {
          row.best_rssi = Math.max(row.best_rssi, hex.rssi);
          row.best_snr = Math.max(row.best_snr, hex.snr);
          row.witness_count += share;
          if (hex.lastSeen > row.last_seen_at) row.last_seen_at = hex.lastSeen;
        }
      }
    });
  }
  const history = [...days.values()];
  for (let i = 0; i < history.length; i += 1000) await sql`INSERT INTO coverage_hex_hotspot_days ${sql(history.slice(i, i + 1000))}`;
}

/** A small network around Amsterdam: two hotspots and a disk of covered res-9 hexes with falling signal. */
export async function seedAmsterdam(sql: Sql, now = new Date()) {
  const alpha = await insertHotspot(sql, 'Alpha Amstel Gateway', 52.3702, 4.8952);
  const beta = await insertHotspot(sql, 'Beta Canal Relay', 52.36, 4.9);
  const { gridDiskDistances } = await import('h3-js');
  const centre = latLngToCell(52.3702, 4.8952, 9);
  const rings = gridDiskDistances(centre, 6);
  const hexes: FixtureHex[] = [];
  rings.forEach((ring, k) => {
    for (const h3 of ring) {
      hexes.push({
        h3,
        rssi: -800 - k * 70, // −80 dBm at the centre, −122 dBm at ring 6
        snr: 100 - k * 20,
        witnesses: 10 - k,
        firstSeen: new Date(now.getTime() - 20 * 86_400_000),
        lastSeen: new Date(now.getTime() - (k >= 5 ? 10 * 86_400_000 : 3_600_000)),
        heardBy: k <= 3 ? [alpha.address, beta.address] : [alpha.address],
      });
    }
  });
  await insertCoverage(sql, hexes);
  return { alpha, beta, centre, hexes };
}
