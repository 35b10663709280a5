import { regionMap } from '@poc/protocol/region-map';
import { booleanPointInPolygon } from '@turf/turf';
import { cellToParent, latLngToCell } from 'h3-js';
import { createRequire } from 'node:module';
import type { Sql } from 'postgres';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';

export interface LocationWarning {
  code: 'in_water' | 'null_island' | 'no_region' | 'cell_occupied' | 'dense_area';
  message: string;
}

let land: GeoJSON.Feature<GeoJSON.MultiPolygon> | null = null;
function landShape(): GeoJSON.Feature<GeoJSON.MultiPolygon> {
  if (!land) {
    const topo = createRequire(import.meta.url)('world-atlas/land-50m.json') as Topology;
    const fc = feature(topo, topo.objects.land!) as unknown as GeoJSON.FeatureCollection<GeoJSON.MultiPolygon>;
    land = fc.features[0]!;
  }
  return land;
}

/**
 * The cell a pin will be stored as (res 12, as on chain), the LoRaWAN region and country its centre lies in (the
 * hotspot's channels, beacon datarate and power limit follow from the region), and warnings for a spot that looks wrong.
 */
export async function checkLocation(sql: Sql, lat: number, lng: number, hotspotAddress?: string) {
  const h3 = latLngToCell(lat, lng, 12);
  const { region, country } = regionMap().locateCell(h3);
  const warnings: LocationWarning[] = [];
  if (!region) {
    warnings.push({
      code: 'no_region',
      message: country
        ? `No LoRaWAN channel plan is served in ${country}: a hotspot here cannot take part in proof of coverage.`
        : 'The pin is at sea, more than 5 km from any country: it lies in no LoRaWAN region, so a hotspot here cannot take part in proof of coverage.',
    });
  }
  if (Math.abs(lat) < 0.5 && Math.abs(lng) < 0.5) {
    warnings.push({ code: 'null_island', message: 'The pin is at 0°, 0° — usually a missing GPS fix. Drop it where the antenna really is.' });
  } else if (!booleanPointInPolygon([lng, lat], landShape())) {
    warnings.push({ code: 'in_water', message: 'The pin is in the sea or a large lake on the Natural Earth 1:50m map. Check it: a hotspot must be placed where it is.' });
  }
  const [same] = await sql<{ n: bigint }[]>`
    SELECT count(*) AS n FROM hotspots WHERE location_h3 = ${h3} ${hotspotAddress ? sql`AND address <> ${hotspotAddress}` : sql``}`;
  if (same && same.n > 0n) {
    warnings.push({ code: 'cell_occupied', message: `${same.n} hotspot(s) already asserted in this exact cell (${h3}). Co-located hotspots witness each other poorly and earn less.` });
  }
  const area = cellToParent(h3, 8);
  const [near] = await sql<{ n: bigint }[]>`
    SELECT count(*) AS n FROM hotspots WHERE lat BETWEEN ${lat - 0.01} AND ${lat + 0.01} AND lng BETWEEN ${lng - 0.015} AND ${lng + 0.015}
      ${hotspotAddress ? sql`AND address <> ${hotspotAddress}` : sql``}`;
  if (near && near.n >= 4n) {
    warnings.push({ code: 'dense_area', message: `${near.n} hotspots are already within about 1 km; rewards are scaled down where hotspots are dense (res-8 area ${area}).` });
  }
  return { h3, resolution: 12, h3_res9: cellToParent(h3, 9), region, country, warnings };
}
