import { latLngToCell } from 'h3-js';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { REGIONS, type Region } from '../regions';
import { alpha2OfFeature } from './country-shapes';
import { COUNTRY_REGION, OFFSHORE_TOLERANCE_M, RegionMap, regionForCell } from './index';

/**
 * Places with the country they are in and the plan Helium assigned to it: the `Region` column of hplans regions.csv
 * (country-plans.ts names the source), written out here by hand so the table is checked, not echoed. Pairs across a
 * border sit 10–40 km from it, outside Natural Earth 1:50m's generalisation.
 */
const PLACES: [place: string, lat: number, lng: number, country: string, region: Region | null][] = [
  // Europe, Africa, Middle East
  ['Mulhouse', 47.75, 7.34, 'FR', 'EU868'],
  ['Freiburg im Breisgau', 47.99, 7.85, 'DE', 'EU868'],
  ['Helsinki', 60.17, 24.94, 'FI', 'EU868'],
  ['St Petersburg', 59.94, 30.31, 'RU', 'RU864'],
  ['Moscow', 55.75, 37.62, 'RU', 'RU864'],
  ['Anadyr (east of 170°E)', 64.73, 177.51, 'RU', 'RU864'],
  ['Lavrentiya (west of 180°, Chukotka)', 65.58, -171.0, 'RU', 'RU864'],
  ['Johannesburg', -26.2, 28.04, 'ZA', 'EU868'],
  ['Thaba-Tseka (Lesotho, inside South Africa)', -29.52, 28.61, 'LS', 'EU433'],
  ['Baku', 40.41, 49.87, 'AZ', 'EU433'],
  ['Tashkent', 41.3, 69.24, 'UZ', 'EU433'],
  ['Almaty', 43.24, 76.89, 'KZ', 'IN865'],
  ['Tel Aviv', 32.08, 34.78, 'IL', 'AS923_4'],
  ['Amman', 31.95, 35.93, 'JO', 'IN865'],
  ['Nairobi', -1.29, 36.82, 'KE', 'EU868'],
  ['Kampala', 0.35, 32.58, 'UG', 'AS923_1'],
  // South Asia
  ['Amritsar', 31.63, 74.87, 'IN', 'IN865'],
  ['Lahore', 31.52, 74.3, 'PK', 'AS923_1'],
  ['Kolkata', 22.57, 88.36, 'IN', 'IN865'],
  ['Jessore', 23.17, 89.21, 'BD', 'AS923_1'],
  ['Kathmandu (no plan)', 27.7, 85.32, 'NP', null],
  // East and South-East Asia, Oceania
  ['Busan', 35.18, 129.08, 'KR', 'KR920'],
  ['Fukuoka', 33.59, 130.4, 'JP', 'AS923_1'],
  ['Tokyo', 35.68, 139.69, 'JP', 'AS923_1'],
  ['Beijing', 39.9, 116.4, 'CN', 'CN470'],
  ['Guangzhou', 23.13, 113.26, 'CN', 'CN470'],
  ['Hong Kong, Kowloon', 22.32, 114.17, 'HK', 'AS923_1'],
  ['Nanning', 22.82, 108.32, 'CN', 'CN470'],
  ['Hanoi', 21.03, 105.85, 'VN', 'AS923_2'],
  ['Ho Chi Minh City', 10.78, 106.7, 'VN', 'AS923_2'],
  ['Phnom Penh', 11.56, 104.92, 'KH', 'AS923_1'],
  ['Bangkok', 13.75, 100.5, 'TH', 'AS923_1'],
  ['Manila', 14.6, 120.98, 'PH', 'AS923_3'],
  ['Jakarta', -6.2, 106.85, 'ID', 'AS923_2'],
  ['Pontianak (Borneo)', -0.03, 109.33, 'ID', 'AS923_2'],
  ['Kuching (Borneo)', 1.55, 110.35, 'MY', 'AS923_1'],
  ['Sydney', -33.87, 151.21, 'AU', 'AU915'],
  ['Auckland', -36.85, 174.76, 'NZ', 'AS923_1'],
  ['Suva (no plan)', -18.14, 178.44, 'FJ', null],
  // Americas
  ['Buffalo', 42.89, -78.88, 'US', 'US915'],
  ['St Catharines', 43.16, -79.24, 'CA', 'US915'],
  ['San Diego', 32.72, -117.16, 'US', 'US915'],
  ['Mexicali', 32.55, -115.3, 'MX', 'US915'],
  ['Havana', 23.11, -82.37, 'CU', 'AS923_3'],
  ['Bogotá', 4.71, -74.07, 'CO', 'AU915'],
  ['Caracas', 10.49, -66.88, 'VE', 'AS923_1'],
  ['San José', 9.93, -84.08, 'CR', 'AS923_1'],
  ['David', 8.43, -82.43, 'PA', 'AU915'],
  ['La Paz', -16.5, -68.15, 'BO', 'AS923_1'],
  ['Puno', -15.84, -70.02, 'PE', 'AU915'],
  ['São Paulo', -23.55, -46.63, 'BR', 'AU915'],
  ['Santa Vitória do Palmar', -33.52, -53.37, 'BR', 'AU915'],
  ['Lascano', -33.67, -54.2, 'UY', 'AU915'],
  ['Buenos Aires', -34.6, -58.38, 'AR', 'AU915'],
];

describe('region map', () => {
  const map = new RegionMap();

  it.each(PLACES)('%s (%f, %f) is in %s, plan %s', (_place, lat, lng, country, region) => {
    expect(map.locate(lat, lng)).toEqual({ country, region });
  });

  it('covers every plan and at least 25 countries', () => {
    expect(new Set(PLACES.map(([, , , country]) => country)).size).toBeGreaterThanOrEqual(25);
    expect(new Set(PLACES.map(([, , , , region]) => region))).toEqual(new Set([...REGIONS, null]));
  });

  it('answers an H3 cell (any resolution) by its centre, as the oracle asks', () => {
    expect(regionForCell(latLngToCell(-34.6, -58.38, 12))).toBe('AU915');
    expect(regionForCell(latLngToCell(21.03, 105.85, 9))).toBe('AS923_2');
  });

  it('gives a point just off the coast to that country, and open sea to none (null country, null region)', () => {
    // Bondi: the 1:50m outline runs near 151.285°E; 151.30°E is outside it by 1.5 km and still Australia, 151.35°E is
    // 6 km out (past the 5 km tolerance) and 151.7°E is the Tasman Sea.
    expect(map.locate(-33.89, 151.3)).toEqual({ country: 'AU', region: 'AU915' });
    expect(map.locate(-33.89, 151.35)).toEqual({ country: null, region: null });
    expect(map.locate(-33.89, 151.7)).toEqual({ country: null, region: null });
    expect(map.locate(0, -140)).toEqual({ country: null, region: null });
    expect(map.locate(30, -40)).toEqual({ country: null, region: null });
    expect(OFFSHORE_TOLERANCE_M).toBe(5_000);
  });

  it('answers the same after the tile cache has learnt the area (cached answers are not a different path)', () => {
    const fresh = new RegionMap();
    for (const [, lat, lng] of PLACES) fresh.locate(lat + 0.01, lng + 0.01);
    for (const [, lat, lng, country, region] of PLACES) expect(fresh.locate(lat, lng)).toEqual({ country, region });
  });

  it('refuses what is not a location or not a cell, with the reason', () => {
    expect(() => map.locate(Number.NaN, 0)).toThrow(/not a location/);
    expect(() => map.locate(91, 0)).toThrow(/not a location/);
    expect(() => map.locate(0, 181)).toThrow(/not a location/);
    expect(() => map.locateCell('not-a-cell')).toThrow(/not an H3 cell/);
  });

  it('has a plan (or an explicit none) for every country Natural Earth draws', () => {
    const topology = createRequire(import.meta.url)('world-atlas/countries-50m.json') as {
      objects: { countries: { geometries: { id?: string; properties?: { name?: string } }[] } };
    };
    const unplanned = topology.objects.countries.geometries
      .map((g) => [g.properties?.name, alpha2OfFeature(g.id, g.properties?.name)] as const)
      .filter(([, code]) => code === null || !(code in COUNTRY_REGION));
    expect(unplanned).toEqual([]);
    // Philipsburg, Sint Maarten: the one Natural Earth country without its own hplans row (Netherlands polygons there).
    expect(map.locate(18.03, -63.05)).toEqual({ country: 'SX', region: 'EU868' });
  });

  it('maps only to known plans, and every plan has at least one country', () => {
    const used = new Set(Object.values(COUNTRY_REGION));
    for (const region of used) expect(region === null || (REGIONS as readonly string[]).includes(region)).toBe(true);
    for (const region of REGIONS) expect(used.has(region)).toBe(true);
  });
});
