import { cellToParent } from 'h3-js';
import type { Sql, TransactionSql } from 'postgres';
import { recordCoverage, type CoverageMeasurement } from '../coverage/coverage';
import type { OracleMetrics } from '../metrics';
import type { HexDensityCache } from '../rewards/density-cache';
import { rewardShares } from '../rewards/reward-units';
import { MAX_WITNESS_LAG_MS, STALE_AFTER_MS } from './constants';
import { applyPocUpdates, evaluatePoc, type Gateway, type PocBeacon, type PocWitness } from './poc';

export interface ProcessorOptions {
  beaconIntervalSeconds: number;
  /** Extra wait after the 4 s lateness limit for witnesses still in flight to the oracle. */
  witnessGraceMs: number;
  density: HexDensityCache;
  metrics?: OracleMetrics;
  batchSize?: number;
}

interface BeaconRow {
  hash: string;
  hotspot: string;
  received_at: Date;
  local_entropy: Buffer;
  remote_entropy: Buffer;
  data: Buffer;
  frequency: bigint;
  datarate: string;
  tx_power: number;
}
interface WitnessRow {
  hash: string;
  hotspot: string;
  received_at: Date;
  data: Buffer;
  signal: number;
  snr: number;
  frequency: bigint;
  datarate: string;
}
interface HotspotRow {
  address: string;
  location_h3: string | null;
  region: string | null;
  gain_ddbi: number;
  is_full_hotspot: boolean;
  last_beacon_at: Date | null;
  last_witness_at: Date | null;
  last_beacon_recip_at: Date | null;
  trust_score: number;
}

const ms = (d: Date | null) => (d === null ? null : d.getTime());
const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());

/**
 * Verifies every beacon whose witness window has closed, with all its witnesses, in one transaction per batch.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of oracle workers can run this concurrently.
 */
export async function processPendingPocs(sql: Sql, o: ProcessorOptions, nowMs = Date.now()): Promise<{ beacons: number; witnesses: number }> {
  const cutoff = new Date(nowMs - MAX_WITNESS_LAG_MS - o.witnessGraceMs);
  return sql.begin(async (tx) => {
    const beacons = await tx<BeaconRow[]>`
      SELECT hash, hotspot, received_at, local_entropy, remote_entropy, data, frequency, datarate, tx_power
      FROM beacon_reports WHERE status = 'pending' AND received_at < ${cutoff}
      ORDER BY received_at, hash LIMIT ${o.batchSize ?? 500} FOR UPDATE SKIP LOCKED`;
    if (beacons.length === 0) return { beacons: 0, witnesses: 0 };

    const datas = beacons.map((b) => b.data);
    const witnessRows = await tx<WitnessRow[]>`
      SELECT hash, hotspot, received_at, data, signal, snr, frequency, datarate FROM witness_reports
      WHERE status = 'pending' AND data IN ${tx(datas)} ORDER BY received_at, hash FOR UPDATE SKIP LOCKED`;
    const witnessesByData = new Map<string, WitnessRow[]>();
    for (const w of witnessRows) {
      const key = w.data.toString('hex');
      const list = witnessesByData.get(key);
      if (list) list.push(w);
      else witnessesByData.set(key, [w]);
    }

    const addresses = [...new Set([...beacons.map((b) => b.hotspot), ...witnessRows.map((w) => w.hotspot)])].sort();
    const hotspots = await tx<HotspotRow[]>`
      SELECT address, location_h3, region, gain_ddbi, is_full_hotspot, last_beacon_at, last_witness_at, last_beacon_recip_at, trust_score
      FROM hotspots WHERE address IN ${tx(addresses)} ORDER BY address FOR UPDATE`;
    const gateways = new Map<string, Gateway>();
    const trust = new Map<string, number>();
    for (const h of hotspots) {
      gateways.set(h.address, {
        address: h.address,
        location: h.location_h3,
        region: h.region,
        gainDdbi: h.gain_ddbi,
        isFullHotspot: h.is_full_hotspot,
        lastBeaconMs: ms(h.last_beacon_at),
        lastWitnessMs: ms(h.last_witness_at),
        lastBeaconRecipMs: ms(h.last_beacon_recip_at),
      });
      trust.set(h.address, h.trust_score);
    }
    const entropyRows = await tx<{ data: Buffer; timestamp_s: bigint }[]>`
      SELECT data, timestamp_s FROM entropy WHERE data IN ${tx(beacons.map((b) => b.remote_entropy))}`;
    const entropy = new Map(entropyRows.map((e) => [e.data.toString('hex'), Number(e.timestamp_s)]));
    const denied = new Map((await tx<{ address: string; tag: string }[]>`SELECT address, tag FROM denylist_keys WHERE address IN ${tx(addresses)}`).map((r) => [r.address, r.tag]));
    const edges = new Map(
      (await tx<{ a: string; b: string; tag: string }[]>`SELECT a, b, tag FROM denylist_edges WHERE a IN ${tx(addresses)} OR b IN ${tx(addresses)}`).map((r) => [`${r.a}|${r.b}`, r.tag]),
    );

    const beaconUpdates: unknown[][] = [];
    const witnessUpdates: unknown[][] = [];
    const coverage: CoverageMeasurement[] = [];
    const now = new Date(nowMs).toISOString();
    for (const b of beacons) {
      const pocBeacon: PocBeacon = {
        hash: b.hash,
        hotspot: b.hotspot,
        receivedMs: b.received_at.getTime(),
        remoteEntropy: b.remote_entropy,
        localEntropy: b.local_entropy,
        data: b.data,
        frequency: Number(b.frequency),
        datarate: b.datarate,
        txPower: b.tx_power,
      };
      const rows = witnessesByData.get(b.data.toString('hex')) ?? [];
      witnessesByData.delete(b.data.toString('hex')); // a payload belongs to the first beacon that carried it
      const witnesses: PocWitness[] = rows.map((w) => ({
        hash: w.hash,
        hotspot: w.hotspot,
        receivedMs: w.received_at.getTime(),
        data: w.data,
        signal: w.signal,
        snr: w.snr,
        frequency: Number(w.frequency),
        datarate: w.datarate,
      }));
      const outcome = evaluatePoc(pocBeacon, witnesses, {
        gateway: (a) => gateways.get(a),
        entropyTimestampS: entropy.get(b.remote_entropy.toString('hex')) ?? null,
        deniedKey: (a) => denied.get(a) ?? null,
        deniedEdge: (x, y) => edges.get(x < y ? `${x}|${y}` : `${y}|${x}`) ?? null,
        beaconIntervalS: o.beaconIntervalSeconds,
      });
      const beaconer = gateways.get(b.hotspot);
      applyPocUpdates(outcome, beaconer, (a) => gateways.get(a));

      const scale = o.density.scale(beaconer?.location ?? null);
      const beaconTrust = trust.get(b.hotspot) ?? 1;
      const beaconValid = outcome.beaconReason === null;
      beaconUpdates.push([
        b.hash,
        beaconValid ? 'valid' : 'invalid',
        outcome.beaconReason,
        outcome.beaconReason ? 'beaconer' : null,
        scale,
        outcome.beaconRewardUnit,
        beaconTrust,
        beaconValid ? rewardShares(scale, outcome.beaconRewardUnit, beaconTrust).toString() : '0',
      ]);
      o.metrics?.beaconResults.inc({ reason: outcome.beaconReason ?? 'valid' });
      const byHash = new Map(rows.map((r) => [r.hash, r]));
      for (const w of outcome.witnesses) {
        const witnessTrust = trust.get(w.hotspot) ?? 1;
        const valid = beaconValid && w.reason === null;
        witnessUpdates.push([
          w.hash,
          valid ? 'valid' : 'invalid',
          w.reason,
          w.side,
          b.hash,
          w.selected,
          w.distanceM,
          w.rewardUnit,
          witnessTrust,
          w.selected ? rewardShares(scale, w.rewardUnit, witnessTrust).toString() : '0',
          w.rssiMarginDdb,
        ]);
        o.metrics?.witnessResults.inc({ reason: w.reason ?? 'valid' });
        const row = byHash.get(w.hash)!;
        // Valid, or failing only reciprocity (missing history, not physics): the link is a coverage measurement.
        if (w.radioValid && beaconer?.location) {
          coverage.push({ h3Res9: cellToParent(beaconer.location, 9), witness: w.hotspot, signal: row.signal, snr: row.snr, at: row.received_at });
        }
      }
    }

    await writeOutcomes(tx, beaconUpdates, witnessUpdates, now);
    const changed = [...gateways.values()].map((g) => [g.address, iso(g.lastBeaconMs), iso(g.lastWitnessMs), iso(g.lastBeaconRecipMs)]);
    if (changed.length > 0) {
      await tx`
        UPDATE hotspots h SET last_beacon_at = v.lb::timestamptz, last_witness_at = v.lw::timestamptz, last_beacon_recip_at = v.lr::timestamptz, updated_at = now()
        FROM (VALUES ${tx(changed as string[][])}) AS v(address, lb, lw, lr) WHERE h.address = v.address`;
    }
    await recordCoverage(tx, coverage);
    return { beacons: beacons.length, witnesses: witnessUpdates.length };
  });
}

async function writeOutcomes(tx: TransactionSql, beacons: unknown[][], witnesses: unknown[][], now: string): Promise<void> {
  const beaconRows = beacons;
  await tx`
    UPDATE beacon_reports b SET status = v.status, reason = v.reason, participant_side = v.side, hex_scale = v.scale::float8,
      reward_unit = v.unit::float8, trust = v.trust::float8, reward_shares = v.shares::bigint, processed_at = ${now}
    FROM (VALUES ${tx(beaconRows as string[][])}) AS v(hash, status, reason, side, scale, unit, trust, shares) WHERE b.hash = v.hash`;
  for (let i = 0; i < witnesses.length; i += 2000) {
    const chunk = witnesses.slice(i, i + 2000);
    await tx`
      UPDATE witness_reports w SET status = v.status, reason = v.reason, participant_side = v.side, beacon_hash = v.beacon_hash,
        selected = v.selected::boolean, distance_m = v.distance::int, reward_unit = v.unit::float8, trust = v.trust::float8,
        reward_shares = v.shares::bigint, rssi_margin = v.margin::int, processed_at = ${now}
      FROM (VALUES ${tx(chunk as string[][])}) AS v(hash, status, reason, side, beacon_hash, selected, distance, unit, trust, shares, margin)
      WHERE w.hash = v.hash`;
  }
}

/** Helium's purger: anything still pending 45 min after it arrived is invalid with reason `stale`. */
export async function markStaleReports(sql: Sql, nowMs = Date.now()): Promise<number> {
  const cutoff = new Date(nowMs - STALE_AFTER_MS);
  const b = await sql`UPDATE beacon_reports SET status = 'invalid', reason = 'stale', processed_at = now() WHERE status = 'pending' AND received_at < ${cutoff}`;
  const w = await sql`UPDATE witness_reports SET status = 'invalid', reason = 'stale', processed_at = now() WHERE status = 'pending' AND received_at < ${cutoff}`;
  return b.count + w.count;
}
