import type { StyleSpecification } from 'maplibre-gl';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-50m.json';
import land from 'world-atlas/land-50m.json';

/** Offline basemap: Natural Earth land and borders bundled into the page; no tiles, no glyphs, no network. */
export function offlineStyle(): StyleSpecification {
  const landTopo = land as unknown as Topology;
  const countryTopo = countries as unknown as Topology;
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: feature(landTopo, landTopo.objects.land!) as GeoJSON.GeoJSON },
      countries: { type: 'geojson', data: feature(countryTopo, countryTopo.objects.countries!) as GeoJSON.GeoJSON },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#0b1d2a' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#1f2f3a' } },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#46606f', 'line-width': 0.6 } },
    ],
  };
}
