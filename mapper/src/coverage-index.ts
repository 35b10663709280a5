import { cellToLatLng } from 'h3-js';
import type { Sql } from 'postgres';
import type { HexCoverage, HexRow } from './db/coverage';
import { H3Slots } from './h3-slots';
import { signalClassOf } from './signal';

/** Fields of one cell, interleaved so a lookup touches one 64-byte cache line instead of one per column. */
const RSSI = 0;
const SNR = 1;
const HOTSPOTS = 2;
const WITNESSES = 3;
const FIRST = 4;
const LAST = 5;
/** Cell centre, computed once per cell so lookups make no H3 call. */
const LAT = 6;
const LNG = 7;
const STRIDE = 8;

interface Columns {
  slots: H3Slots;
  data: Float64Array;
  size: number;
}

type Row = Omit<HexRow, 'resolution'>;

function emptyColumns(capacity: number): Columns {
  return { slots: new H3Slots(capacity), data: new Float64Array(capacity * STRIDE), size: 0 };
}

function grow(c: Columns): Columns {
  const data = new Float64Array(Math.max(1024 * STRIDE, c.data.length * 2));
  data.set(c.data);
  return { ...c, data };
}

/**
 * In-memory copy of res-9 coverage for point/batch/area/route lookups, so the hot path does not go to PostgreSQL.
 * One interleaved Float64Array (64 bytes a hex) and the cells' 64-bit indexes in typed arrays (H3Slots, 24–48 bytes a
 * hex) hold a 1,000,000-hex network with no object per hex. Rows whose
 * last_seen_at moved past the newest one already read are pulled every `pollMs`; the whole set is reloaded every
 * `reloadMs`, which also picks up deletions and writes that committed with an older timestamp.
 */
export class CoverageIndex {
  private cols = emptyColumns(1024);
  /** Newest last_seen_at already read, as PostgreSQL text: a JS Date would drop the microseconds (hence ::text casts). */
  private watermark: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastReload = 0;
  private syncing: Promise<void> | null = null;
  ready = false;
  /** When the index last matched the database. */
  syncedAt: Date | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly options: { pollMs?: number; reloadMs?: number; onError?: (error: unknown) => void } = {},
  ) {}

  get size(): number {
    return this.cols.size;
  }

  /** Starts loading in the background; resolves when the first full load is done. */
  start(): Promise<void> {
    const first = this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.pollMs ?? 2_000);
    this.timer.unref();
    return first;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.syncing?.catch(() => {});
  }

  sync(): Promise<void> {
    this.syncing ??= (Date.now() - this.lastReload > (this.options.reloadMs ?? 10 * 60_000) ? this.reload() : this.pullChanges())
      .catch((error) => this.options.onError?.(error))
      .finally(() => (this.syncing = null));
    return this.syncing;
  }

  private put(c: Columns, r: Row): Columns {
    let slot = c.slots.get(r.h3);
    if (slot === undefined) {
      if ((c.size + 1) * STRIDE > c.data.length) c = grow(c);
      // Text that is no H3 index could never be looked up: it takes no slot.
      if (!c.slots.set(r.h3, c.size)) return c;
      slot = c.size++;
      const [lat, lng] = cellToLatLng(r.h3);
      c.data[slot * STRIDE + LAT] = lat;
      c.data[slot * STRIDE + LNG] = lng;
    }
    const at = slot * STRIDE;
    c.data[at + RSSI] = r.best_rssi;
    c.data[at + SNR] = r.best_snr;
    c.data[at + HOTSPOTS] = r.hotspot_count;
    c.data[at + WITNESSES] = Number(r.witness_count);
    c.data[at + FIRST] = r.first_seen_at.getTime();
    c.data[at + LAST] = r.last_seen_at.getTime();
    return c;
  }

  private async newestLastSeen(): Promise<string | null> {
    const [row] = await this.sql<{ m: string | null }[]>`SELECT max(last_seen_at)::text AS m FROM coverage_hexes WHERE resolution = 9`;
    return row?.m ?? null;
  }

  private async reload(): Promise<void> {
    const started = Date.now();
    let c = emptyColumns(1024);
    const upTo = await this.newestLastSeen();
    await this.sql<Row[]>`
      SELECT h3, best_rssi, best_snr, witness_count, hotspot_count, first_seen_at, last_seen_at
      FROM coverage_hexes WHERE resolution = 9`.cursor(20_000, (rows) => {
      for (const r of rows) c = this.put(c, r);
    });
    this.cols = c;
    this.watermark = upTo;
    this.lastReload = started;
    this.ready = true;
    this.syncedAt = new Date(started);
  }

  private async pullChanges(): Promise<void> {
    const started = Date.now();
    const upTo = await this.newestLastSeen();
    if (upTo !== null && upTo !== this.watermark) {
      const rows = await this.sql<Row[]>`
        SELECT h3, best_rssi, best_snr, witness_count, hotspot_count, first_seen_at, last_seen_at
        FROM coverage_hexes
        WHERE resolution = 9 AND last_seen_at <= ${upTo}::text::timestamptz
          ${this.watermark === null ? this.sql`` : this.sql`AND last_seen_at > ${this.watermark}::text::timestamptz`}`;
      let c = this.cols;
      for (const r of rows) c = this.put(c, r);
      this.cols = c;
      this.watermark = upTo;
    }
    this.syncedAt = new Date(started);
  }

  /** All-time coverage of one res-9 cell (time-filtered lookups go to PostgreSQL's daily history). */
  lookup(h3: string): HexCoverage | null {
    const c = this.cols;
    const slot = c.slots.get(h3);
    if (slot === undefined) return null;
    const d = c.data;
    const at = slot * STRIDE;
    // Built directly (not via toHexCoverage) to skip the row's BigInt and Date objects on the hot path.
    return {
      h3,
      resolution: 9,
      lat: d[at + LAT]!,
      lng: d[at + LNG]!,
      signal_class: signalClassOf(d[at + RSSI]!),
      best_rssi_dbm: d[at + RSSI]! / 10,
      best_snr_db: d[at + SNR]! / 10,
      witness_count: d[at + WITNESSES]!,
      hotspot_count: d[at + HOTSPOTS]!,
      first_seen_at: new Date(d[at + FIRST]!).toISOString(),
      last_seen_at: new Date(d[at + LAST]!).toISOString(),
    };
  }

  lookupMany(cells: string[]): Map<string, HexCoverage> {
    const out = new Map<string, HexCoverage>();
    for (const cell of cells) {
      const hex = this.lookup(cell);
      if (hex) out.set(cell, hex);
    }
    return out;
  }

  /** True when this index can answer for cells of `res`. */
  serves(res: number): boolean {
    return this.ready && res === 9;
  }
}
