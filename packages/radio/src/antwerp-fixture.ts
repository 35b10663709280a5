import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ObservedReception } from './spoof-eval';

/**
 * One real reception of the committed Antwerp extract (fixtures/README.md §Antwerp): a mobile device at a GPS position
 * heard by an operator gateway at its catalogue position. Only RSSI was published per gateway (no SNR), and no
 * timestamps, so receptions are grouped into batches instead of weeks.
 */
export interface AntwerpReception extends ObservedReception {
  /** The DAE benchmark split the message belongs to: thresholds or models tuned on `val` are judged on `test`. */
  split: 'val' | 'test';
  /** Batch of BATCH_SIZE receptions of this gateway, numbered across both splits (the evaluation's grouping key). */
  week: number;
  /** The source gives no channel: EU868's centre. */
  frequencyHz: number;
  snrDb: null;
}

export const ANTWERP_FIXTURE_PATH = fileURLToPath(new URL('../fixtures/antwerp-lorawan.csv', import.meta.url));

const HEADER = 'split,gateway,batch,tx_lat,tx_lng,rx_lat,rx_lng,distance_m,rssi_dbm';
const CENTRE_FREQUENCY_HZ = 868_000_000;
/** Batch numbers of the test split start here, so a gateway's val and test batches never share a key. */
const TEST_BATCH_OFFSET = 100_000;

export function parseAntwerpFixture(csv: string): AntwerpReception[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (header !== HEADER) throw new Error(`unexpected Antwerp fixture header: ${header}`);
  return lines.map((line, index) => {
    const f = line.split(',');
    const split = f[0];
    if (f.length !== 9 || (split !== 'val' && split !== 'test') || !f[1]) throw new Error(`Antwerp fixture line ${index + 2}: malformed`);
    const num = (i: number) => {
      const value = Number(f[i]);
      if (f[i] === '' || !Number.isFinite(value)) throw new Error(`Antwerp fixture line ${index + 2}: column ${i + 1} is not a number`);
      return value;
    };
    return {
      split,
      hotspot: f[1],
      week: num(2) + (split === 'test' ? TEST_BATCH_OFFSET : 0),
      txLat: num(3),
      txLng: num(4),
      rxLat: num(5),
      rxLng: num(6),
      distanceM: num(7),
      frequencyHz: CENTRE_FREQUENCY_HZ,
      rssiDbm: num(8),
      snrDb: null,
    };
  });
}

export function loadAntwerpFixture(path: string = ANTWERP_FIXTURE_PATH): AntwerpReception[] {
  return parseAntwerpFixture(readFileSync(path, 'utf8'));
}
