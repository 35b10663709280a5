import { greatCircleDistance, UNITS } from 'h3-js';
import type { Sql } from 'postgres';

/**
 * The witness graph of a window: who heard whom, how strongly, at what asserted distance. A witness report matched to
 * a beacon carries the beacon's payload, which nobody knows before it is on air, so each directed pair is a reception
 * that happened (or a payload the beaconer shared) — whether or not the report passed the reward checks.
 */
export interface LinkPair {
  beaconer: string;
  witness: string;
  reports: number;
  /** Median `tx_power − signal` (dB): path loss plus both antenna gains, which are the same in either direction. */
  lossDb: number;
  /** Asserted distance between the two, metres. */
  distanceM: number;
}

export interface LinkNode {
  lat: number;
  lng: number;
  region: string | null;
}

export interface LinkGraph {
  /** Every located hotspot with at least one link in the window. */
  nodes: Map<string, LinkNode>;
  pairs: LinkPair[];
}

/** Directed pairs heard in the window, with the asserted positions of everyone in them. */
export async function loadLinkGraph(sql: Sql, since: Date): Promise<LinkGraph> {
  const pairs = await sql<{ beaconer: string; witness: string; reports: number; loss_db: number; distance_m: number }[]>`
    SELECT b.hotspot AS beaconer, w.hotspot AS witness, count(*)::int AS reports,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY b.tx_power - w.signal / 10.0) AS loss_db, max(w.distance_m) AS distance_m
    FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
    WHERE w.processed_at >= ${since} AND w.distance_m IS NOT NULL AND w.hotspot <> b.hotspot AND w.reason IS DISTINCT FROM 'duplicate'
    GROUP BY b.hotspot, w.hotspot`;
  const nodes = new Map<string, LinkNode>();
  const addresses = [...new Set(pairs.flatMap((p) => [p.beaconer, p.witness]))];
  if (addresses.length > 0) {
    const rows = await sql<{ address: string; lat: number | null; lng: number | null; region: string | null }[]>`
      SELECT address, lat, lng, region FROM hotspots WHERE address = ANY(${addresses}::text[]) AND lat IS NOT NULL AND lng IS NOT NULL`;
    for (const r of rows) nodes.set(r.address, { lat: r.lat!, lng: r.lng!, region: r.region });
  }
  return {
    nodes,
    pairs: pairs
      .filter((p) => nodes.has(p.beaconer) && nodes.has(p.witness))
      .map((p) => ({ beaconer: p.beaconer, witness: p.witness, reports: p.reports, lossDb: p.loss_db, distanceM: p.distance_m })),
  };
}

/** h3-js's mean Earth radius, so local metres agree with its great-circle distances. */
const EARTH_RADIUS_M = 6_371_007.180918475;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (h3-js, as the verifier's distance checks use). */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  return greatCircleDistance([a.lat, a.lng], [b.lat, b.lng], UNITS.m);
}

/** East/north metres of `p` from `origin` (equirectangular; exact enough within a radio link's range). */
export function localMetres(origin: { lat: number; lng: number }, p: { lat: number; lng: number }): [number, number] {
  return [(p.lng - origin.lng) * RAD * EARTH_RADIUS_M * Math.cos(origin.lat * RAD), (p.lat - origin.lat) * RAD * EARTH_RADIUS_M];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each hotspot's neighbours (either direction) with the asserted distance and the mean loss over the directions heard. */
export function neighbourLinks(graph: LinkGraph): Map<string, Map<string, { distanceM: number; lossDb: number }>> {
  const sums = new Map<string, Map<string, { distanceM: number; loss: number; n: number }>>();
  const add = (a: string, b: string, p: LinkPair) => {
    let m = sums.get(a);
    if (!m) sums.set(a, (m = new Map()));
    const s = m.get(b);
    if (s) {
      s.loss += p.lossDb;
      s.n++;
    } else m.set(b, { distanceM: p.distanceM, loss: p.lossDb, n: 1 });
  };
  for (const p of graph.pairs) {
    add(p.beaconer, p.witness, p);
    add(p.witness, p.beaconer, p);
  }
  return new Map([...sums].map(([a, m]) => [a, new Map([...m].map(([b, s]) => [b, { distanceM: s.distanceM, lossDb: s.loss / s.n }]))]));
}
