/**
 * `regionForLocation` as the registry sync calls it: once per hotspot, every sync. 100,000 hotspots in 60 metro
 * clusters over every continent (some on borders and coasts). Timed: a cold pass (a fresh process: country polygons
 * load and every 0.1° tile is learnt) and a warm pass (the next sync). Baseline: `cellToLatLng` of the same cells —
 * the least work any per-cell lookup does (decode the cell).
 */
import { cellToLatLng, latLngToCell } from 'h3-js';
import { regionForLocation } from '../src/registry/registry';

const HOTSPOTS = Number(process.env.BENCH_HOTSPOTS ?? 100_000);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

const CITIES: [number, number][] = [
  [48.85, 2.35], [52.37, 4.9], [51.5, -0.12], [40.42, -3.7], [41.9, 12.5], [52.52, 13.4], [47.75, 7.34], [59.94, 30.31],
  [55.75, 37.62], [41.01, 28.98], [32.08, 34.78], [31.95, 35.93], [30.04, 31.24], [6.52, 3.38], [-1.29, 36.82],
  [-26.2, 28.04], [-33.92, 18.42], [28.61, 77.2], [19.08, 72.88], [31.55, 74.35], [23.81, 90.41], [13.75, 100.5],
  [21.03, 105.85], [10.78, 106.7], [14.6, 120.98], [-6.2, 106.85], [1.35, 103.82], [3.14, 101.69], [22.32, 114.17],
  [39.9, 116.4], [31.23, 121.47], [37.56, 126.97], [35.18, 129.08], [35.68, 139.69], [34.69, 135.5], [-33.87, 151.21],
  [-37.81, 144.96], [-36.85, 174.76], [40.71, -74.0], [41.88, -87.63], [34.05, -118.24], [42.89, -78.88],
  [43.65, -79.38], [49.28, -123.12], [19.43, -99.13], [32.55, -115.3], [23.11, -82.37], [4.71, -74.07],
  [10.49, -66.88], [-12.05, -77.04], [-16.5, -68.15], [-23.55, -46.63], [-22.91, -43.17], [-34.6, -58.38],
  [-34.9, -56.16], [-33.45, -70.67], [40.41, 49.87], [43.24, 76.89], [25.2, 55.27], [24.71, 46.68],
];
const cells = Array.from({ length: HOTSPOTS }, (_, i) => {
  const [lat, lng] = CITIES[i % CITIES.length]!;
  const r = Math.sqrt(rand()) * 0.5;
  const a = rand() * 2 * Math.PI;
  return latLngToCell(lat + r * Math.cos(a), lng + r * Math.sin(a), 12);
});

function timed(run: () => number): [seconds: number, sum: number] {
  const start = performance.now();
  const sum = run();
  return [(performance.now() - start) / 1000, sum];
}
const lookUpAll = () => cells.reduce((n, cell) => n + (regionForLocation(cell) ? 1 : 0), 0);
const [baseline] = timed(() => cells.reduce((n, cell) => n + cellToLatLng(cell)[0], 0));
const [cold, located] = timed(lookUpAll);
const [warm, again] = timed(lookUpAll);
if (again !== located) throw new Error(`warm pass answered ${again} regions, cold pass ${located}`);
console.log(`${located} of ${HOTSPOTS} hotspots in a region`);
console.log(`BENCH oracle-region-lookup-100k-cold: ${cold.toFixed(2)} s | baseline ${baseline.toFixed(3)} s | ratio ${(cold / baseline).toFixed(1)}`);
console.log(`BENCH oracle-region-lookup-100k-warm: ${warm.toFixed(3)} s | baseline ${baseline.toFixed(3)} s | ratio ${(warm / baseline).toFixed(1)}`);
