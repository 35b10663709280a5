import type { Sql } from 'postgres';
import { HttpError } from './http-errors';

/**
 * Routes the mapper's read-only queries to a streaming replica (docs/operations.md §8 "Read replica"), falling back to
 * the primary when the replica is unreachable, promoted, or further behind than `maxLagSeconds`.
 *
 * Lag: a standby that has replayed everything it received reports lag 0 even when the primary has been idle (its last
 * replay timestamp is old because nothing happened); otherwise lag is now − the commit time of the last replayed
 * transaction. An answer from the replica is at most that old; the source and lag go out in response headers.
 */
export type ReadSource = 'replica' | 'primary';

export interface ReplicaState {
  /** Where reads go now. */
  source: ReadSource;
  replica: 'none' | 'up' | 'lagging' | 'down' | 'not_standby';
  lagSeconds: number | null;
  /** Why the replica is not used, when it is not. */
  reason: string | null;
  checkedAt: string | null;
}

export interface ReadRouterOptions {
  /** Replica lag above which reads go to the primary (default 30 s). */
  maxLagSeconds?: number;
  /** How often the replica is probed (default 1 s). */
  probeMs?: number;
  /** Bound on one probe (default 2 s). */
  probeTimeoutMs?: number;
  /** When the replica is not usable: read from the primary (default), or report not ready and fail reads with 503. */
  fallback?: 'primary' | 'none';
}

/** Reads refused while the replica is unusable and the fallback is 'none' (answered 503 by the error handler). */
export class ReplicaUnavailableError extends HttpError {
  constructor(reason: string) {
    super(503, 'replica_unavailable', `read replica unavailable: ${reason}`);
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });

export class ReadRouter {
  /** Use for read-only queries: a `Sql` that forwards every call to the replica or the primary, as the state says. */
  readonly sql: Sql;
  private current: ReplicaState;
  private timer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;
  private readonly maxLagSeconds: number;
  private readonly probeTimeoutMs: number;
  private readonly fallback: 'primary' | 'none';

  constructor(
    private readonly primary: Sql,
    private readonly replica: Sql | null,
    private readonly options: ReadRouterOptions = {},
  ) {
    this.maxLagSeconds = options.maxLagSeconds ?? 30;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
    this.fallback = options.fallback ?? 'primary';
    // Until the first probe answers, reads go to the primary.
    this.current = { source: 'primary', replica: replica ? 'down' : 'none', lagSeconds: null, reason: replica ? 'not probed yet' : null, checkedAt: null };
    const target = (): Sql => {
      if (this.current.source === 'replica' && this.replica) return this.replica;
      if (this.replica && this.fallback === 'none') throw new ReplicaUnavailableError(this.current.reason ?? 'unknown');
      return this.primary;
    };
    this.sql = new Proxy(primary, {
      apply: (_t, thisArg, args) => Reflect.apply(target() as unknown as (...a: unknown[]) => unknown, thisArg, args),
      get: (_t, prop) => {
        const sql = target();
        const value = Reflect.get(sql, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(sql) : value;
      },
    });
  }

  state(): ReplicaState {
    return { ...this.current };
  }

  /** Probes now and then every `probeMs`; resolves after the first probe. */
  async start(): Promise<void> {
    if (!this.replica) return;
    await this.probe();
    this.timer = setInterval(() => void this.probe(), this.options.probeMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Ready when reads have somewhere to go: the replica, or (with fallback 'primary') the primary answering. */
  async readiness(): Promise<{ ready: boolean; detail: ReplicaState }> {
    const state = this.state();
    if (state.source === 'replica') return { ready: true, detail: state };
    if (this.replica && this.fallback === 'none') return { ready: false, detail: state };
    try {
      await withTimeout(this.primary`SELECT 1`.execute(), this.probeTimeoutMs, 'primary SELECT 1');
      return { ready: true, detail: state };
    } catch (error) {
      return { ready: false, detail: { ...state, reason: `primary unreachable: ${(error as Error).message}` } };
    }
  }

  probe(): Promise<void> {
    return (this.probing ??= this.probeOnce().finally(() => (this.probing = null)));
  }

  private async probeOnce(): Promise<void> {
    const replica = this.replica;
    if (!replica) return;
    const checkedAt = new Date().toISOString();
    try {
      const [row] = await withTimeout(
        replica<{ standby: boolean; lag: number | null }[]>`
          SELECT pg_is_in_recovery() AS standby,
                 CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                      ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag`.execute(),
        this.probeTimeoutMs,
        'replica probe',
      );
      if (!row?.standby) {
        this.current = { source: 'primary', replica: 'not_standby', lagSeconds: null, reason: 'the replica is not in recovery (promoted?): not read from', checkedAt };
      } else if (row.lag !== null && row.lag > this.maxLagSeconds) {
        this.current = { source: 'primary', replica: 'lagging', lagSeconds: row.lag, reason: `replica ${row.lag.toFixed(1)} s behind (limit ${this.maxLagSeconds} s)`, checkedAt };
      } else {
        this.current = { source: 'replica', replica: 'up', lagSeconds: row.lag ?? 0, reason: null, checkedAt };
      }
    } catch (error) {
      this.current = { source: 'primary', replica: 'down', lagSeconds: null, reason: (error as Error).message, checkedAt };
    }
  }
}
