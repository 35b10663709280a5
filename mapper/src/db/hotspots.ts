import type { Sql } from 'postgres';
import type { Bbox } from '../h3-ranges';
import { hotspotRadioEvidence, type FittedModel, type TrustEvidence } from './hotspot-evidence';

export type HotspotStatus = 'active' | 'inactive' | 'new';

export interface HotspotSummary {
  address: string;
  name: string;
  lat: number | null;
  lng: number | null;
  location_h3: string | null;
  region: string | null;
  status: HotspotStatus;
  last_active_at: string | null;
}

interface HotspotRow {
  address: string;
  name: string;
  owner: string | null;
  maker: string | null;
  region: string | null;
  location_h3: string | null;
  lat: number | null;
  lng: number | null;
  gain_ddbi: number;
  elevation_m: number;
  is_full_hotspot: boolean;
  onboarded_at: Date;
  location_asserted_at: Date | null;
  last_beacon_at: Date | null;
  last_witness_at: Date | null;
  trust_score: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function lastActive(row: Pick<HotspotRow, 'last_beacon_at' | 'last_witness_at'>): Date | null {
  const times = [row.last_beacon_at, row.last_witness_at].filter((d): d is Date => d !== null);
  return times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
}

/** Active = beaconed or witnessed within `activeWindowMs`; new = never heard from since onboarding. */
export function hotspotStatus(row: Pick<HotspotRow, 'last_beacon_at' | 'last_witness_at'>, activeWindowMs: number, now = Date.now()): HotspotStatus {
  const at = lastActive(row);
  if (!at) return 'new';
  return now - at.getTime() <= activeWindowMs ? 'active' : 'inactive';
}

function summary(row: HotspotRow, activeWindowMs: number): HotspotSummary {
  return {
    address: row.address,
    name: row.name,
    lat: row.lat,
    lng: row.lng,
    location_h3: row.location_h3,
    region: row.region,
    status: hotspotStatus(row, activeWindowMs),
    last_active_at: iso(lastActive(row)),
  };
}

export async function hotspotsInBbox(sql: Sql, bbox: Bbox, options: { limit: number; activeWindowMs: number; activeSince?: Date }): Promise<HotspotSummary[]> {
  const rows = await sql<HotspotRow[]>`
    SELECT * FROM hotspots
    WHERE lat BETWEEN ${bbox.south} AND ${bbox.north} AND lng BETWEEN ${bbox.west} AND ${bbox.east}
    ${options.activeSince ? sql`AND greatest(last_beacon_at, last_witness_at, onboarded_at) >= ${options.activeSince}` : sql``}
    ORDER BY address
    LIMIT ${options.limit}`;
  return rows.map((r) => summary(r, options.activeWindowMs));
}

/** Name prefix (case-insensitive) or address prefix. */
export async function searchHotspots(sql: Sql, query: string, options: { limit: number; activeWindowMs: number }): Promise<HotspotSummary[]> {
  const prefix = query.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
  const rows = await sql<HotspotRow[]>`
    SELECT * FROM hotspots
    WHERE lower(name) LIKE ${prefix.toLowerCase()} OR address LIKE ${prefix}
    ORDER BY (address = ${query}) DESC, name
    LIMIT ${options.limit}`;
  return rows.map((r) => summary(r, options.activeWindowMs));
}

export interface HotspotDetail extends HotspotSummary {
  owner: string | null;
  maker: string | null;
  gain_dbi: number;
  elevation_m: number;
  is_full_hotspot: boolean;
  onboarded_at: string;
  location_asserted_at: string | null;
  last_beacon_at: string | null;
  last_witness_at: string | null;
  trust_score: number;
  recent_beacons: { hash: string; received_at: string; status: string; reason: string | null; frequency_hz: number; datarate: string; tx_power_dbm: number; witnesses: number }[];
  recent_witnesses: {
    hash: string;
    received_at: string;
    status: string;
    reason: string | null;
    signal_dbm: number;
    snr_db: number;
    beacon_hash: string | null;
    beaconer: string | null;
    distance_m: number | null;
    selected: boolean;
  }[];
  rewards: { epoch: number; start_at: string; end_at: string; epoch_status: string; beacon_shares: number; witness_shares: number; amount: string; cumulative: string }[];
  /** The hotspot's own propagation fit per source (witness links, mapper measurements); null until it has one. */
  radio_model: Record<'witness' | 'mapper', FittedModel | null>;
  trust_evidence: TrustEvidence;
}

export async function hotspotDetail(sql: Sql, address: string, options: { activeWindowMs: number; limit: number; since?: Date }): Promise<HotspotDetail | null> {
  const [row] = await sql<HotspotRow[]>`SELECT * FROM hotspots WHERE address = ${address}`;
  if (!row) return null;
  const since = options.since ?? new Date(0);
  const [beacons, witnesses, rewards, radio] = await Promise.all([
    sql<{ hash: string; received_at: Date; status: string; reason: string | null; frequency: bigint; datarate: string; tx_power: number; witnesses: bigint }[]>`
      SELECT b.hash, b.received_at, b.status, b.reason, b.frequency, b.datarate, b.tx_power,
             (SELECT count(*) FROM witness_reports w WHERE w.beacon_hash = b.hash AND w.status = 'valid') AS witnesses
      FROM beacon_reports b WHERE b.hotspot = ${address} AND b.received_at >= ${since}
      ORDER BY b.received_at DESC LIMIT ${options.limit}`,
    sql<{ hash: string; received_at: Date; status: string; reason: string | null; signal: number; snr: number; beacon_hash: string | null; beaconer: string | null; distance_m: number | null; selected: boolean }[]>`
      SELECT w.hash, w.received_at, w.status, w.reason, w.signal, w.snr, w.beacon_hash, b.hotspot AS beaconer, w.distance_m, w.selected
      FROM witness_reports w LEFT JOIN beacon_reports b ON b.hash = w.beacon_hash
      WHERE w.hotspot = ${address} AND w.received_at >= ${since}
      ORDER BY w.received_at DESC LIMIT ${options.limit}`,
    sql<{ epoch: bigint; start_at: Date; end_at: Date; status: string; beacon_shares: number; witness_shares: number; amount: string; cumulative: string }[]>`
      SELECT r.epoch, e.start_at, e.end_at, e.status, r.beacon_shares, r.witness_shares, r.amount::text AS amount, r.cumulative::text AS cumulative
      FROM epoch_rewards r JOIN epochs e ON e.epoch = r.epoch
      WHERE r.hotspot = ${address} AND e.end_at >= ${since}
      ORDER BY r.epoch DESC LIMIT ${options.limit}`,
    hotspotRadioEvidence(sql, address, row.trust_score),
  ]);
  return {
    ...summary(row, options.activeWindowMs),
    owner: row.owner,
    maker: row.maker,
    gain_dbi: row.gain_ddbi / 10,
    elevation_m: row.elevation_m,
    is_full_hotspot: row.is_full_hotspot,
    onboarded_at: row.onboarded_at.toISOString(),
    location_asserted_at: iso(row.location_asserted_at),
    last_beacon_at: iso(row.last_beacon_at),
    last_witness_at: iso(row.last_witness_at),
    trust_score: row.trust_score,
    recent_beacons: beacons.map((b) => ({
      hash: b.hash,
      received_at: b.received_at.toISOString(),
      status: b.status,
      reason: b.reason,
      frequency_hz: Number(b.frequency),
      datarate: b.datarate,
      tx_power_dbm: b.tx_power,
      witnesses: Number(b.witnesses),
    })),
    recent_witnesses: witnesses.map((w) => ({
      hash: w.hash,
      received_at: w.received_at.toISOString(),
      status: w.status,
      reason: w.reason,
      signal_dbm: w.signal / 10,
      snr_db: w.snr / 10,
      beacon_hash: w.beacon_hash,
      beaconer: w.beaconer,
      distance_m: w.distance_m,
      selected: w.selected,
    })),
    rewards: rewards.map((r) => ({
      epoch: Number(r.epoch),
      start_at: r.start_at.toISOString(),
      end_at: r.end_at.toISOString(),
      epoch_status: r.status,
      beacon_shares: r.beacon_shares,
      witness_shares: r.witness_shares,
      amount: r.amount,
      cumulative: r.cumulative,
    })),
    ...radio,
  };
}
