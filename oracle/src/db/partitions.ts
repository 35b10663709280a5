import type { Sql } from 'postgres';

/**
 * Daily range partitions of the oracle's large tables (migrations 010–012; docs/operations.md §8): days are created
 * ahead, rows that landed in the DEFAULT partition move into their day once it has a partition, and days past the
 * retention are dropped (DROP TABLE of the partition, never a DELETE over the big table).
 *
 * Default partition policy: it exists so that no insert ever fails for want of a partition (a hotspot clock far off,
 * maintenance behind). It must stay small, because creating a partition scans it: every run moves into their new
 * partitions the rows whose day is within [retention cutoff, today + ahead], and deletes from it the rows older than
 * the retention by the oracle's own clock (`ageColumn`). What remains there is what a skewed clock sent from outside
 * that window, for at most the retention.
 */
export interface DayPartitionedTable {
  table: string;
  /** The partition key: a date, or a report timestamp in nanoseconds (numeric). */
  key: { column: string; unit: 'date' | 'ns' };
  /** Column with the oracle's own time of the row, for the retention of rows in the default partition. */
  ageColumn: string;
  /** Whole UTC days kept before today; day d is dropped once d < today − retentionDays. */
  retentionDays: number;
}

export interface PartitionMaintenance {
  created: string[];
  dropped: string[];
  /** Rows moved from the default partition into a partition created for their day. */
  movedFromDefault: number;
  /** Rows of the default partition older than the retention, deleted. */
  deletedFromDefault: number;
  /** Tables skipped because another oracle process held their maintenance lock or a lock wait timed out. */
  skipped: string[];
}

export const DEFAULT_PARTITIONS_AHEAD_DAYS = 7;
export const DEFAULT_REPORT_RETENTION_DAYS = 30;
/** Advisory-lock class (any constant, the same in every oracle process); the object is the table name's hash. */
const LOCK_CLASS = 7_150_200;
const DAY_MS = 86_400_000;

/** The tables the oracle partitions by day, with their retentions. */
export function oraclePartitionedTables(retention: { reportDays: number; rejectedMessagesDays: number; coverageHistoryDays: number }): DayPartitionedTable[] {
  return [
    { table: 'beacon_reports', key: { column: 'report_ts_ns', unit: 'ns' }, ageColumn: 'received_at', retentionDays: retention.reportDays },
    { table: 'witness_reports', key: { column: 'report_ts_ns', unit: 'ns' }, ageColumn: 'received_at', retentionDays: retention.reportDays },
    { table: 'rejected_messages', key: { column: 'received_on', unit: 'date' }, ageColumn: 'last_seen_at', retentionDays: retention.rejectedMessagesDays },
    { table: 'coverage_hex_hotspot_days', key: { column: 'day', unit: 'date' }, ageColumn: 'last_seen_at', retentionDays: retention.coverageHistoryDays },
  ];
}

const utcDayMs = (at: Date) => Math.floor(at.getTime() / DAY_MS) * DAY_MS;
const isoDay = (dayMs: number) => new Date(dayMs).toISOString().slice(0, 10);
const partitionName = (table: string, dayMs: number) => `${table}_p${isoDay(dayMs).replaceAll('-', '')}`;
/** SQL literal of the partition bound at the start of the UTC day `dayMs`. */
const bound = (unit: 'date' | 'ns', dayMs: number) => (unit === 'ns' ? `${BigInt(dayMs) * 1_000_000n}` : `'${isoDay(dayMs)}'`);
const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`partitions: unexpected identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
};

/** The table's day partitions (name → start of day, ms), read from the catalog; the default partition excluded. */
async function dayPartitions(sql: Sql, table: string): Promise<Map<string, number>> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${table} AND p.relnamespace = current_schema()::regnamespace AND NOT pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'`;
  const days = new Map<string, number>();
  for (const { name } of rows) {
    const match = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (match) days.set(name, Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  }
  return days;
}

/** Days (start, ms) of rows in the default partition between `fromMs` and `toMs` (exclusive). */
async function defaultRowDays(sql: Sql, t: DayPartitionedTable, fromMs: number, toMs: number): Promise<number[]> {
  const key = ident(t.key.column);
  const dayExpr = t.key.unit === 'ns' ? `(to_timestamp(floor(${key} / 1e9)::float8) AT TIME ZONE 'UTC')::date` : key;
  const rows = await sql.unsafe<{ day: string }[]>(
    `SELECT DISTINCT ${dayExpr}::text AS day FROM ${ident(`${t.table}_default`)} WHERE ${key} >= ${bound(t.key.unit, fromMs)} AND ${key} < ${bound(t.key.unit, toMs)}`,
  );
  return rows.map((r) => Date.parse(`${r.day}T00:00:00Z`));
}

/**
 * Creates the partition of `dayMs`. With rows of that day in the default partition it builds the partition as a plain
 * table, moves the rows into it and attaches it, in one transaction; otherwise CREATE TABLE … PARTITION OF.
 */
async function createDayPartition(sql: Sql, t: DayPartitionedTable, dayMs: number, lockTimeout: string): Promise<number> {
  const name = ident(partitionName(t.table, dayMs));
  const parent = ident(t.table);
  const range = `FOR VALUES FROM (${bound(t.key.unit, dayMs)}) TO (${bound(t.key.unit, dayMs + DAY_MS)})`;
  const inDay = `${ident(t.key.column)} >= ${bound(t.key.unit, dayMs)} AND ${ident(t.key.column)} < ${bound(t.key.unit, dayMs + DAY_MS)}`;
  return sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    const [waiting] = await tx.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${ident(`${t.table}_default`)} WHERE ${inDay}`);
    if (!waiting?.n) {
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${parent} ${range}`);
      return 0;
    }
    await tx.unsafe(`CREATE TABLE ${name} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const moved = await tx.unsafe(`WITH moved AS (DELETE FROM ${ident(`${t.table}_default`)} WHERE ${inDay} RETURNING *) INSERT INTO ${name} SELECT * FROM moved`);
    await tx.unsafe(`ALTER TABLE ${parent} ATTACH PARTITION ${name} ${range}`);
    return moved.count;
  });
}

async function maintainTable(sql: Sql, t: DayPartitionedTable, options: { todayMs: number; aheadDays: number; lockTimeout: string }, out: PartitionMaintenance): Promise<void> {
  if (!Number.isInteger(t.retentionDays) || t.retentionDays < 1) throw new Error(`partitions: ${t.table} retentionDays must be a whole number ≥ 1`);
  const cutoffMs = options.todayMs - t.retentionDays * DAY_MS;
  const existing = await dayPartitions(sql, t.table);
  const have = new Set(existing.values());
  const wanted = new Set<number>();
  for (let d = 0; d <= options.aheadDays; d++) wanted.add(options.todayMs + d * DAY_MS);
  for (const day of await defaultRowDays(sql, t, cutoffMs, options.todayMs + (options.aheadDays + 1) * DAY_MS)) wanted.add(day);
  for (const day of [...wanted].sort((a, b) => a - b)) {
    if (have.has(day)) continue;
    out.movedFromDefault += await createDayPartition(sql, t, day, options.lockTimeout);
    out.created.push(partitionName(t.table, day));
  }
  for (const [name, day] of [...existing].sort(([, a], [, b]) => a - b)) {
    if (day >= cutoffMs) continue;
    await sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL lock_timeout = '${options.lockTimeout}'`);
      await tx.unsafe(`DROP TABLE ${ident(name)}`);
    });
    out.dropped.push(name);
  }
  const deleted = await sql.unsafe(`DELETE FROM ${ident(`${t.table}_default`)} WHERE ${ident(t.ageColumn)} < $1`, [new Date(cutoffMs)]);
  out.deletedFromDefault += deleted.count;
}

/**
 * One maintenance pass over `tables`: partitions for today and `aheadDays` days after it (and for any day within the
 * retention that has rows waiting in the default partition), days older than each table's retention dropped, the
 * default partition's expired rows deleted. One oracle process maintains a table at a time (session advisory lock on
 * a reserved connection); lock waits on the tables are bounded by `lockTimeout` so ingest never queues behind a DDL
 * for long — a table whose lock timed out is retried on the next pass.
 */
export async function maintainPartitions(
  sql: Sql,
  tables: readonly DayPartitionedTable[],
  options: { now?: Date; aheadDays?: number; lockTimeout?: string } = {},
): Promise<PartitionMaintenance> {
  const aheadDays = options.aheadDays ?? DEFAULT_PARTITIONS_AHEAD_DAYS;
  if (!Number.isInteger(aheadDays) || aheadDays < 1) throw new Error('partitions: aheadDays must be a whole number ≥ 1');
  const lockTimeout = options.lockTimeout ?? '5s';
  if (!/^\d+(ms|s)$/.test(lockTimeout)) throw new Error('partitions: lockTimeout must look like 500ms or 5s');
  const todayMs = utcDayMs(options.now ?? new Date());
  const out: PartitionMaintenance = { created: [], dropped: [], movedFromDefault: 0, deletedFromDefault: 0, skipped: [] };
  const connection = await sql.reserve();
  try {
    for (const table of tables) {
      const [lock] = await connection<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${LOCK_CLASS}, hashtext(${table.table})) AS ok`;
      if (!lock?.ok) {
        out.skipped.push(table.table);
        continue;
      }
      try {
        await maintainTable(sql, table, { todayMs, aheadDays, lockTimeout }, out);
      } catch (error) {
        if ((error as { code?: string }).code !== '55P03') throw error; // lock_not_available: retried next pass
        out.skipped.push(table.table);
      } finally {
        await connection`SELECT pg_advisory_unlock(${LOCK_CLASS}, hashtext(${table.table}))`;
      }
    }
  } finally {
    connection.release();
  }
  return out;
}
