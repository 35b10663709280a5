/**
 * Extracts the committed Antwerp fixture (fixtures/antwerp-lorawan.csv) from the Antwerp LoRaWAN data set of Aernouts
 * et al. as split for the DAE benchmark (fixtures/README.md §Antwerp):
 *
 *   npx tsx packages/radio/scripts/extract-antwerp.ts <git dir of sudipbarua/Localization-leveraging-LoRaWAN> packages/radio/fixtures [batches]
 *
 * Deterministic: the messages of the validation and test splits in file order; every reception by a gateway whose
 * position the data set's catalogue gives becomes one row; each gateway's receptions of one split are cut into
 * consecutive batches of BATCH_SIZE (the unit of the spoof evaluation: the data carries no timestamps, so there are
 * no weeks), of which the first `batches` per gateway and split are kept (6 for the committed file).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_DIR = 'DAE_benchmarking/files/lorawan';
const SPLITS = ['val', 'test'] as const;
const BATCH_SIZE = 20;
/** What the source writes for "not received". */
const NOT_RECEIVED_DBM = -200;

/**
 * Which gateway each `BS k` column of the source is: the receiver crosswalk of anantarj/antwerp-lorawan-coordinate-
 * provenance (computational/data_products/receiver_crosswalk.csv, CC BY 4.0), which matched every column against the
 * gateway identifiers of the data set's JSON release. Columns absent here never received anything in the release.
 */
const GATEWAY_OF_COLUMN: Readonly<Record<number, string>> = {
  1: 'FF010714', 2: 'FF01072B', 3: 'FF010877', 4: '080E0149', 5: 'FF010560', 6: 'FF010721', 7: '080605EE', 9: 'FF01085B',
  10: '080E00B9', 11: 'FF01052A', 12: '08060622', 14: 'FF0107C9', 15: 'FF01099B', 16: 'FF010581', 17: 'FF010739',
  18: 'FF0178DF', 19: 'FF010667', 20: 'FF010595', 22: 'FF010628', 23: 'FF0105CB', 25: '080E0116', 27: '08060716',
  31: 'FF010EFE', 32: 'FF0108A3', 33: 'FF01060B', 34: 'FF010719', 35: '004A05D4', 37: 'FF010639', 41: '004A0DA4',
  43: 'FF0107BB', 44: 'FF0105C2', 47: 'C0000209', 48: 'FF010605', 49: '004A0D9C', 50: 'FF010957', 52: 'FF010894',
  53: 'C000028C', 55: 'FF0105B5', 59: 'FF010930', 60: 'FF010603', 69: 'FF01753E', 70: 'FF017649', 71: '004A026B',
  72: 'FF01031C',
};

/**
 * Gateways left out although the catalogue places them: 004A026B sits 47 km south-west of every transmitter it heard
 * (at −109 dBm), a catalogue error the crosswalk's authors exclude too (their "no71" rosters). A wrong asserted
 * position is what the spoof evaluation looks for, so it cannot stand among the honest ones.
 */
const MISPLACED = new Set(['004A026B']);

const EARTH_RADIUS_M = 6_371_007.180918475;
const RAD = Math.PI / 180;

/** Ground distance as spoof-eval.ts measures it (flat around the receiver: every link here is under 60 km). */
function distanceM(rx: { lat: number; lng: number }, tx: { lat: number; lng: number }): number {
  const x = (tx.lng - rx.lng) * RAD * EARTH_RADIUS_M * Math.cos(rx.lat * RAD);
  const y = (tx.lat - rx.lat) * RAD * EARTH_RADIUS_M;
  return Math.hypot(x, y);
}

const [gitDir, outDir, batchesArg] = process.argv.slice(2);
const BATCHES = batchesArg === undefined ? 6 : Number(batchesArg);
if (!gitDir || !outDir || !(BATCHES > 0)) {
  console.error('usage: extract-antwerp.ts <git dir of sudipbarua/Localization-leveraging-LoRaWAN> <output directory> [batches per gateway and split, default 6]');
  process.exit(2);
}

const show = (file: string) => execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${SOURCE_DIR}/${file}`], { maxBuffer: 64 << 20 }).toString('utf8');
const csvRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(1)
    .map((line) => line.split(',').map(Number));

const catalogue = JSON.parse(show('lorawan_antwerp_gateway_locations.json')) as Record<string, { latitude: number; longitude: number }>;

const rows: string[] = [];
let messages = 0;
let dropped = 0;
for (const split of SPLITS) {
  const rssi = csvRows(show(`x_${split}.csv`));
  const positions = csvRows(show(`y_${split}.csv`));
  if (rssi.length !== positions.length) throw new Error(`${split}: ${rssi.length} RSSI rows but ${positions.length} positions`);
  messages += rssi.length;
  const byGateway = new Map<string, string[]>();
  rssi.forEach((row, i) => {
    const [txLat, txLng] = positions[i]!;
    row.forEach((value, column) => {
      if (value === NOT_RECEIVED_DBM) return;
      const gateway = GATEWAY_OF_COLUMN[column + 1];
      const at = gateway === undefined ? undefined : catalogue[gateway];
      if (!gateway || !at || MISPLACED.has(gateway)) {
        dropped++;
        return;
      }
      const rx = { lat: at.latitude, lng: at.longitude };
      const list = byGateway.get(gateway) ?? [];
      list.push(
        [txLat!.toFixed(5), txLng!.toFixed(5), rx.lat.toFixed(6), rx.lng.toFixed(6), Math.round(distanceM(rx, { lat: txLat!, lng: txLng! })), value].join(','),
      );
      byGateway.set(gateway, list);
    });
  });
  for (const [gateway, list] of [...byGateway].sort(([a], [b]) => a.localeCompare(b))) {
    for (let batch = 0; batch < BATCHES && (batch + 1) * BATCH_SIZE <= list.length; batch++) {
      for (const link of list.slice(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE)) rows.push(`${split},${gateway},${batch},${link}`);
    }
  }
}

const header = 'split,gateway,batch,tx_lat,tx_lng,rx_lat,rx_lng,distance_m,rssi_dbm';
writeFileSync(join(outDir, 'antwerp-lorawan.csv'), `${header}\n${rows.join('\n')}\n`);
console.log(`${messages} messages; ${rows.length} receptions kept (${dropped} by gateways without a usable catalogue position dropped)`);
