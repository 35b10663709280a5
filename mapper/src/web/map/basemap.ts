import type { StyleSpecification } from 'maplibre-gl';
import { feature, mesh } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-50m.json';
import land from 'world-atlas/land-50m.json';

type Ring = [number, number][];

/**
 * Natural Earth topology is spherical: rings may jump across the antimeridian and Antarctica's ring circles the
 * pole without closing. For a flat map, unwrap each ring's longitudes and close pole-circling rings along the pole.
 */
function planarRing(ring: Ring): Ring {
  const out: Ring = [];
  let offset = 0;
  for (let i = 0; i < ring.length; i++) {
    const [lng, lat] = ring[i]!;
    if (i > 0) {
      const prev = ring[i - 1]![0];
      if (lng - prev > 180) offset -= 360;
      else if (prev - lng > 180) offset += 360;
    }
    out.push([lng + offset, lat]);
  }
  const first = out[0]!;
  const last = out[out.length - 1]!;
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = out.reduce((s, p) => s + p[1], 0) < 0 ? -85 : 85;
    out.push([last[0], pole], [first[0], pole], first);
  }
  return out;
}

function planar(geometry: GeoJSON.Geometry): GeoJSON.Geometry {
  if (geometry.type === 'Polygon') return { type: 'Polygon', coordinates: geometry.coordinates.map((r) => planarRing(r as Ring)) };
  if (geometry.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: geometry.coordinates.map((p) => p.map((r) => planarRing(r as Ring))) };
  return geometry;
}

function landGeoJson(topo: Topology): GeoJSON.FeatureCollection {
  const f = feature(topo, topo.objects.land!) as unknown as GeoJSON.FeatureCollection | GeoJSON.Feature;
  const features = f.type === 'FeatureCollection' ? f.features : [f];
  return { type: 'FeatureCollection', features: features.map((x) => ({ ...x, geometry: planar(x.geometry) })) };
}

/** Offline basemap: Natural Earth land and borders bundled into the page; no tiles, no glyphs, no network. */
export function offlineStyle(): StyleSpecification {
  const landTopo = land as unknown as Topology;
  const countryTopo = countries as unknown as Topology;
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: landGeoJson(landTopo) },
      // Shared arcs only: drawing whole country outlines would also draw their cuts along the antimeridian.
      countries: { type: 'geojson', data: mesh(countryTopo, countryTopo.objects.countries as never, (a, b) => a !== b) as GeoJSON.GeoJSON },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#0b1d2a' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#1f2f3a' } },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#46606f', 'line-width': 0.6 } },
    ],
  };
}
