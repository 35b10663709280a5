import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
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
