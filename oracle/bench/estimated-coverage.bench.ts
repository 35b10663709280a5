/**
 * Estimated coverage for 100,000 hotspots recomputed from scratch (refreshEstimatedCoverage with `full`) in a real
 * embedded PostgreSQL: tiles reached, @poc/radio predictions per res-9 cell, res 8…4 rollups, all rows written.
 * Hotspots are spread uniformly over ~220 × 200 km (2.3 per km², a dense metropolitan network; 12 dBi×10, EU868):
 * the compute grows with hotspots × cells in each one's reach, the writes with the area covered.
 * Baseline, same run and database: the measured-coverage write path (recordCoverage, res-9 row + rollups + daily
 * history) for a sample of one measurement per res-9 cell, scaled to the estimate's cell count — the ratio says what
 * one estimated cell costs against one measured cell.
 *   node --expose-gc --import tsx oracle/bench/estimated-coverage.bench.ts   (BENCH_HOTSPOTS, BENCH_BASELINE_CELLS to tune;
 *   --expose-gc, as npm run bench passes it, so the memory before is taken after a full collection)
 */
import { latLngToCell } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connectDatabase, migrate } from '@poc/db';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { recordCoverage, type CoverageMeasurement } from '../src/coverage/coverage';
import { refreshEstimatedCoverage } from '../src/coverage/estimated';
import { radioPredictor } from '../src/coverage/radio-predictor';
import { ORACLE_MIGRATIONS_DIR } from '../src/migrations';

const HOTSPOTS = Number(process.env.BENCH_HOTSPOTS ?? 100_000);
const BASELINE_CELLS = Number(process.env.BENCH_BASELINE_CELLS ?? 20_000);
const BOX = { south: 51, north: 53, west: 4, east: 7 };

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

async function main() {
  const pg = await startEmbeddedPostgres({ dataDir: '.data/bench-estimated-postgres', persistent: false, database: 'bench_estimated' });
  const sql = connectDatabase(pg.url, { max: 4 });
  try {
    await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
    const rows = function* () {
      for (let i = 0; i < HOTSPOTS; i++) {
        const lat = BOX.south + rand() * (BOX.north - BOX.south);
        const lng = BOX.west + rand() * (BOX.east - BOX.west);
        yield `hs${i}\t\\\\x${randomBytes(32).toString('hex')}\thotspot ${i}\t${latLngToCell(lat, lng, 12)}\t${lat}\t${lng}\t12\tEU868\n`;
      }
    };
    const copy = await sql`COPY hotspots (address, pubkey, name, location_h3, lat, lng, gain_ddbi, region) FROM STDIN`.writable();
    await pipeline(Readable.from(rows()), copy);
    console.log(`seeded ${HOTSPOTS} hotspots`);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    // At the RSS peak: how much is the JS heap and how much lies outside it (h3-js's WebAssembly memory, sockets).
    let peak = process.memoryUsage();
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      if (now.rss > peak.rss) peak = now;
    }, 100);
    const started = performance.now();
    const result = await refreshEstimatedCoverage(sql, { predictor: radioPredictor(), full: true });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const [stored] = await sql<{ res9: string; all: string }[]>`
      SELECT count(*) FILTER (WHERE resolution = 9) AS res9, count(*) AS all FROM estimated_coverage_hexes`;
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    const peakRss = peak.rss;
    console.log(`estimated: ${result.changedHotspots} hotspots, ${result.tiles} res-6 tiles, ${result.cells} res-9 cells (${stored!.all} rows with rollups) in ${seconds.toFixed(1)} s`);
    console.log(`peak RSS ${mb(peakRss)} MB (${mb(rssBefore)} MB before): JS heap ${mb(peak.heapUsed)} MB used of ${mb(peak.heapTotal)} MB, outside it ${mb(peak.external)} MB (array buffers ${mb(peak.arrayBuffers)} MB)`);

    // Baseline: the measured write path, one measurement per res-9 cell, in batches like the PoC processor's.
    const cells: string[] = [];
    for (let i = 0; i < BASELINE_CELLS; i++) cells.push(latLngToCell(BOX.south + rand() * (BOX.north - BOX.south), BOX.west + rand() * (BOX.east - BOX.west), 9));
    const at = new Date();
    const baseStart = performance.now();
    for (let i = 0; i < cells.length; i += 2_000) {
      const batch: CoverageMeasurement[] = cells.slice(i, i + 2_000).map((h3Res9, k) => ({ h3Res9, witness: `hs${(i + k) % HOTSPOTS}`, signal: -1_100, snr: 20, at }));
      await sql.begin((tx) => recordCoverage(tx, batch));
    }
    const baseSeconds = (performance.now() - baseStart) / 1000;
    const perCellEstimated = seconds / Math.max(1, result.cells);
    const perCellMeasured = baseSeconds / cells.length;
    console.log(`measured write path: ${cells.length} res-9 cells in ${baseSeconds.toFixed(1)} s`);
    console.log(
      `BENCH oracle-estimated-coverage-${HOTSPOTS / 1000}k-hotspots: ${seconds.toFixed(1)} s for ${result.cells} cells (${(perCellEstimated * 1e6).toFixed(1)} µs/cell) | baseline measured write ${(perCellMeasured * 1e6).toFixed(1)} µs/cell | ratio ${(perCellEstimated / perCellMeasured).toFixed(2)}`,
    );
    console.log(`BENCH oracle-estimated-coverage-peak-rss: ${(peakRss / 2 ** 20).toFixed(0)} MB | baseline ${(rssBefore / 2 ** 20).toFixed(0)} MB before | ratio ${(peakRss / rssBefore).toFixed(2)}`);
  } finally {
    await sql.end();
    await pg.stop();
  }
}

await main();
