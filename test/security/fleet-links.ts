import type { LinkGraph, LinkPair } from '@poc/oracle/testing';
import { beaconDatarate, maxConductedPowerDbm, parseLoraDatarate, REGION_PARAMS, type Region } from '@poc/protocol';
import { haversineM, planFleet, simulateLink, type FleetHotspot } from '@poc/simulator';
import { createHash } from 'node:crypto';

/** Deterministic standard normal from a label (what the simulator's radio medium uses for shadowing). */
function gaussian(label: string): number {
  const digest = createHash('sha256').update(label).digest();
  const u = Math.max(digest.readUInt32LE(0) / 4294967296, 1e-12);
  const v = digest.readUInt32LE(4) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The witness graph `npm start`'s fleet produces over `rounds` beacons per hotspot: the simulator's plan (real towns,
 * a few cheaters) and its radio model (log-distance, per-pair shadowing, per-packet fading, receiver sensitivity), with
 * the asserted positions the oracle sees. Fabricated-RSSI cheaters add 40 dB to what they report, as in the medium.
 */
export function fleetLinkGraph(options: { count: number; seed: number; cheaters: number; rounds: number }): { graph: LinkGraph; fleet: FleetHotspot[] } {
  const c = options.cheaters;
  const fleet = planFleet({
    count: options.count,
    seed: options.seed,
    cheaters: { spoofedLocation: Math.ceil(c / 3), fabricatedRssi: Math.floor(c / 3), replay: c - Math.ceil(c / 3) - Math.floor(c / 3) },
  });
  const losses = new Map<string, number[]>();
  for (const tx of fleet) {
    const params = REGION_PARAMS[tx.region as Region];
    const lora = parseLoraDatarate(beaconDatarate(params, 51))!;
    const txPower = maxConductedPowerDbm(params, tx.gainDdbi);
    for (const rx of fleet) {
      if (rx === tx || rx.region !== tx.region) continue;
      const d = haversineM(tx.trueLat, tx.trueLng, rx.trueLat, rx.trueLng);
      if (d > 60_000) continue;
      const shadow = gaussian(`shadow:${options.seed}:${tx.address < rx.address ? `${tx.address}:${rx.address}` : `${rx.address}:${tx.address}`}`);
      for (let round = 0; round < options.rounds; round++) {
        const link = simulateLink({
          distanceM: d,
          frequencyHz: params.channelFrequencies[0]!,
          txPowerDbm: txPower,
          txGainDdbi: tx.gainDdbi,
          rxGainDdbi: rx.gainDdbi,
          spreadingFactor: lora.spreadingFactor,
          bandwidthKhz: lora.bandwidthKhz,
          linkShadow: shadow,
          packetFading: gaussian(`fading:${tx.address}:${rx.address}:${round}`),
        });
        if (!link.received) continue;
        const reported = Math.round(link.rssiDbm + (rx.cheat === 'fabricated_rssi' ? 40 : 0));
        const key = `${tx.address}|${rx.address}`;
        const list = losses.get(key);
        if (list) list.push(txPower - reported);
        else losses.set(key, [txPower - reported]);
      }
    }
  }
  const byAddress = new Map(fleet.map((h) => [h.address, h]));
  const pairs: LinkPair[] = [...losses].map(([key, list]) => {
    const [beaconer, witness] = key.split('|') as [string, string];
    const a = byAddress.get(beaconer)!;
    const b = byAddress.get(witness)!;
    return { beaconer, witness, reports: list.length, lossDb: median(list), distanceM: Math.round(haversineM(a.lat, a.lng, b.lat, b.lng)) };
  });
  const nodes = new Map(fleet.map((h) => [h.address, { lat: h.lat, lng: h.lng, region: h.region as string }]));
  const linked = new Set(pairs.flatMap((p) => [p.beaconer, p.witness]));
  for (const a of [...nodes.keys()]) if (!linked.has(a)) nodes.delete(a);
  return { graph: { nodes, pairs }, fleet };
}
