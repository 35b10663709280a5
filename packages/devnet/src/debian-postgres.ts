import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectDatabase } from '@poc/db';
import { freePort } from './embedded-postgres';

const run = promisify(execFile);

export interface DebianPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  /** The server's bin directory, e.g. /usr/lib/postgresql/15/bin. */
  binDir: string;
  /** pg_ctl stop (fast) and the cluster's directory removed. */
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<version>/bin holding a server (Debian's `postgresql` package), or null. */
export function findDebianPostgresBin(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'postgres')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, every server command runs as the `postgres` system user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function systemUserIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts Debian's PostgreSQL server (apt package `postgresql`) in a fresh cluster in a temporary directory:
 * initdb (password auth over TCP, scram-sha-256), pg_ctl start on a free loopback port, one database created.
 * The cluster lives only as long as the handle; the process's exit removes it too.
 */
export async function startDebianPostgres(options: { database?: string; startTimeoutSeconds?: number } = {}): Promise<DebianPostgres> {
  const binDir = findDebianPostgresBin();
  if (!binDir) throw new Error('no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const database = options.database ?? 'poc';
  const dir = await mkdtemp(join(tmpdir(), 'debian-postgres-'));
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'password');
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = systemUserIds('postgres');
    chownSync(dir, uid, gid);
    chownSync(passwordFile, uid, gid);
  }
  const pgCtl = join(binDir, 'pg_ctl');
  let running = false;
  const stopNow = () => {
    if (running) {
      running = false;
      const [command, args] = asServerUser(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      try {
        execFileSync(command, args, { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies without stop() must not leave a server behind.
  process.once('exit', stopNow);
  try {
    const [initdb, initArgs] = asServerUser(join(binDir, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '-E', 'UTF8', '--no-instructions',
    ]);
    await run(initdb, initArgs);
    const port = await freePort();
    const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=100`;
    const [start, startArgs] = asServerUser(pgCtl, ['start', '-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', String(options.startTimeoutSeconds ?? 60), '-o', serverOptions]);
    running = true;
    await run(start, startArgs);
    const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const admin = connectDatabase(adminUrl, { max: 1 });
    try {
      await admin.unsafe(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end({ timeout: 5 });
    }
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      port,
      binDir,
      async stop() {
        process.off('exit', stopNow);
        if (running) {
          running = false;
          const [stop, stopArgs] = asServerUser(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
          await run(stop, stopArgs).catch(() => undefined);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.off('exit', stopNow);
    let log = '';
    try {
      log = execFileSync('tail', ['-n', '20', join(dir, 'server.log')], { encoding: 'utf8' });
    } catch {
      // No log yet.
    }
    stopNow();
    throw new Error(`Debian PostgreSQL did not start: ${(error as Error).message}${log ? `\n${log}` : ''}`);
  }
}

export interface DebianPostgresReplica {
  /** The primary's database through the standby (read-only): same user, password and database name. */
  url: string;
  port: number;
  /** SIGKILL to the standby's postmaster (no clean shutdown, nothing promoted); its children exit with it. */
  kill(): Promise<void>;
  /** Starts the standby again on the same port and data; it resumes streaming from the primary. */
  restart(): Promise<void>;
  /** Waits until the standby has replayed everything the primary had written when this was called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A streaming replica of `primary` (a Debian PostgreSQL from startDebianPostgres): `pg_basebackup -R -X stream` into a
 * fresh directory (the backup writes standby.signal and primary_conninfo), then pg_ctl start on its own loopback port.
 * The cluster initdb made allows replication connections from 127.0.0.1 with the same password (its pg_hba.conf).
 */
export async function startDebianReplica(primary: DebianPostgres, options: { startTimeoutSeconds?: number } = {}): Promise<DebianPostgresReplica> {
  const dir = await mkdtemp(join(tmpdir(), 'debian-postgres-replica-'));
  const dataDir = join(dir, 'data');
  if (isRoot()) {
    const { uid, gid } = systemUserIds('postgres');
    chownSync(dir, uid, gid);
  }
  const primaryUrl = new URL(primary.url);
  primaryUrl.pathname = '/postgres';
  const pgCtl = join(primary.binDir, 'pg_ctl');
  const port = await freePort();
  let pid: number | null = null;
  const start = async () => {
    const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=100 -c hot_standby=on`;
    const [command, args] = asServerUser(pgCtl, ['start', '-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', String(options.startTimeoutSeconds ?? 60), '-o', serverOptions]);
    await run(command, args);
    pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  };
  const killNow = () => {
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      pid = null;
    }
  };
  const cleanup = () => {
    killNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    const [backup, backupArgs] = asServerUser(join(primary.binDir, 'pg_basebackup'), ['-d', primaryUrl.toString(), '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    await run(backup, backupArgs);
    await start();
  } catch (error) {
    process.off('exit', cleanup);
    cleanup();
    throw new Error(`Debian PostgreSQL replica did not start: ${(error as Error).message}`);
  }
  const url = new URL(primary.url);
  url.port = String(port);
  const waitForExit = async (oldPid: number) => {
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(oldPid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`replica postmaster ${oldPid} did not exit`);
  };
  return {
    url: url.toString(),
    port,
    async kill() {
      const old = pid;
      killNow();
      if (old !== null) await waitForExit(old);
    },
    async restart() {
      // The killed postmaster's children exit when they notice it is gone; until then its shared memory is in use.
      for (let attempt = 1; pid === null; attempt++) {
        try {
          await start();
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
    async caughtUp(timeoutMs = 30_000) {
      const primarySql = connectDatabase(primary.url, { max: 1 });
      const replicaSql = connectDatabase(url.toString(), { max: 1 });
      try {
        const [{ lsn }] = (await primarySql`SELECT pg_current_wal_lsn()::text AS lsn`) as unknown as [{ lsn: string }];
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [row] = await replicaSql<{ done: boolean }[]>`SELECT pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS done`;
          if (row?.done) return;
          if (Date.now() > deadline) throw new Error(`replica did not replay up to ${lsn} within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await primarySql.end({ timeout: 5 });
        await replicaSql.end({ timeout: 5 });
      }
    },
    async stop() {
      process.off('exit', cleanup);
      if (pid !== null) {
        const [command, args] = asServerUser(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
        await run(command, args).catch(() => undefined);
        pid = null;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
