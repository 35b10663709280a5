import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Process ids of a running cluster: the postmaster (first line of postmaster.pid) and all its children. */
function clusterPids(clusterDir: string): number[] {
  const postmaster = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === String(postmaster);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/**
 * kill -9 of a whole PostgreSQL cluster, synchronously (usable inside a transaction hook): no checkpoint, no
 * goodbye to clients; the next start runs crash recovery from the WAL. Returns how many processes were killed.
 */
export function crashPostgres(clusterDir: string): number {
  const pids = clusterPids(clusterDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}
