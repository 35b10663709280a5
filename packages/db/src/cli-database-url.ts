import { existsSync, readFileSync } from 'node:fs';

/** Where `npm start` writes its embedded database's URL (POC_DATA_DIR, default .data/network). */
export function localNetworkDatabaseUrlFile(dataDir = '.data/network'): string {
  return `${dataDir}/database-url`;
}

/**
 * The database an operator's CLI works on: `--database-url`, else DATABASE_URL, else the URL `npm start` left for its
 * embedded database; or the message to print when there is none.
 */
export function cliDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): { url: string } | { error: string } {
  const localFile = localNetworkDatabaseUrlFile(env.POC_DATA_DIR);
  const url = flag ?? env.DATABASE_URL ?? (existsSync(localFile) ? readFileSync(localFile, 'utf8').trim() : undefined);
  return url ? { url } : { error: `error: no database: pass --database-url, set DATABASE_URL, or run npm start (which writes ${localFile})` };
}
