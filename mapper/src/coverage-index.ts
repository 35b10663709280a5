import { cellToLatLng } from 'h3-js';
import type { Sql } from 'postgres';
import type { HexCoverage, HexRow } from './db/coverage';
import { signalClassOf } from './signal';

interface Columns {
  slots: Map<string, number>;
  rssi: Int16Array;
  snr: Int16Array;
  hotspots: Int32Array;
  witnesses: Float64Array;
  first: Float64Array;
  last: Float64Array;
  /** Cell centres, computed once per cell so lookups make no H3 call. */
  lat: Float64Array;
  lng: Float64Array;
  size: number;
}

type Row = Omit<HexRow, 'resolution'>;

function emptyColumns(capacity: number): Columns {
  return {
    slots: new Map(),
    rssi: new Int16Array(capacity),
    snr: new Int16Array(capacity),
    hotspots: new Int32Array(capacity),
    witnesses: new Float64Array(capacity),
    first: new Float64Array(capacity),
    last: new Float64Array(capacity),
    lat: new Float64Array(capacity),
    lng: new Float64Array(capacity),
    size: 0,
  };
}

function grow(c: Columns): Columns {
  const n = Math.max(1024, c.rssi.length * 2);
  const copy = <T extends Int16Array | Int32Array | Float64Array>(a: T, make: (n: number) => T) => {
    const b = make(n);
    b.set(a);
    return b;
  };
  return {
    ...c,
    rssi: copy(c.rssi, (k) => new Int16Array(k)),
    snr: copy(c.snr, (k) => new Int16Array(k)),
    hotspots: copy(c.hotspots, (k) => new Int32Array(k)),
    witnesses: copy(c.witnesses, (k) => new Float64Array(k)),
    first: copy(c.first, (k) => new Float64Array(k)),
    last: copy(c.last, (k) => new Float64Array(k)),
    lat: copy(c.lat, (k) => new Float64Array(k)),
    lng: copy(c.lng, (k) => new Float64Array(k)),
  };
}

/**
 * In-memory copy of res-9 coverage for point/batch/area/route lookups, so the hot path does not go to PostgreSQL.
 * Packed columns (~75 bytes a hex with the key) keep a 1,000,000-hex network near 120 MB. Rows whose
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
      if (c.size === c.rssi.length) c = grow(c);
      slot = c.size++;
      c.slots.set(r.h3, slot);
      [c.lat[slot], c.lng[slot]] = cellToLatLng(r.h3);
    }
    c.rssi[slot] = r.best_rssi;
    c.snr[slot] = r.best_snr;
    c.hotspots[slot] = r.hotspot_count;
    c.witnesses[slot] = Number(r.witness_count);
    c.first[slot] = r.first_seen_at.getTime();
    c.last[slot] = r.last_seen_at.getTime();
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
    // Built directly (not via toHexCoverage) to skip the row's BigInt and Date objects on the hot path.
    return {
      h3,
      resolution: 9,
      lat: c.lat[slot]!,
      lng: c.lng[slot]!,
      signal_class: signalClassOf(c.rssi[slot]!),
      best_rssi_dbm: c.rssi[slot]! / 10,
      best_snr_db: c.snr[slot]! / 10,
      witness_count: c.witnesses[slot]!,
      hotspot_count: c.hotspots[slot]!,
      first_seen_at: new Date(c.first[slot]!).toISOString(),
      last_seen_at: new Date(c.last[slot]!).toISOString(),
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
