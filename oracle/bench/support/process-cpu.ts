import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The fields of a /proc stat line after the command name: [0] is the state, field 3 of proc(5). */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/**
 * CPU time (ms) of the running processes descended from this one whose command name is `comm` (utime + stime, plus
 * cutime + cstime: what their exited children used), read from /proc — so a benchmark can say what the broker and
 * PostgreSQL it started spent per report. Null where there is no /proc.
 */
export function descendantsCpuMs(comm: string): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const processes = new Map<number, { parent: number; comm: string; ticks: number }>();
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = statFields(stat);
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      processes.set(Number(pid), { parent: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks });
    } catch {
      // exited while we read
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = processes.get(pid)?.parent; p !== undefined && p > 1; p = processes.get(p)?.parent) if (p === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, p] of processes) if (p.comm === comm && descends(pid)) ticks += p.ticks;
  return ticks * TICK_MS;
}

/** CPU time (ms) of this process's main thread (utime + stime of /proc/self/task/<pid>), or null without /proc. */
export function mainThreadCpuMs(): number | null {
  try {
    const fields = statFields(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'));
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}
