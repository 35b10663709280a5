import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const SERVICE = join(import.meta.dirname, 'signalled-service.ts');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start` runs under the tsx CLI, which relays SIGINT/SIGTERM to the service and SIGKILLs it unless the
 * service's process reports the signal as handled. The ordered shutdown must run to its end there, and the
 * embedded PostgreSQL must not outlive it.
 */
describe('ordered shutdown under the tsx CLI', () => {
  const dirs: string[] = [];
  const processes: number[] = [];
  afterEach(() => {
    // A failed shutdown leaves the service or its PostgreSQL running: end them before removing their data.
    for (const pid of processes.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the tsx parent stops every part in order and leaves no PostgreSQL behind`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'poc-shutdown-'));
      dirs.push(dataDir);
      const child = spawn(process.execPath, [TSX_CLI, SERVICE, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      processes.push(child.pid!);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const lines: { msg?: string; task?: string }[] = [];
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
      );
      let postmasterPid = 0;
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; task?: string };
          lines.push(entry);
          if (entry.msg === 'ready') {
            postmasterPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
            processes.push(postmasterPid);
            resolve();
          }
        });
        void exited.then(() => reject(new Error(`service exited before it was ready: ${stderr}`)));
      });
      expect(alive(postmasterPid)).toBe(true);

      child.kill(signal);
      const exit = await exited;

      expect(exit, stderr).toEqual({ code: 0, signal: null });
      expect(lines.filter((l) => l.msg === 'stopped').map((l) => l.task)).toEqual(['slow part', 'PostgreSQL']);
      expect(alive(postmasterPid)).toBe(false);
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    }, 120_000);
  }
});
