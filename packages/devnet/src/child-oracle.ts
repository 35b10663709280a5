import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildOracle {
  process: ChildProcess;
  /** SIGKILL: no shutdown hook runs, buffers in memory are gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful stop. */
  stop(): Promise<void>;
}

/**
 * Starts an oracle script (a TypeScript file that starts the oracle from ORACLE_CHILD_CONFIG and prints READY) under
 * tsx and resolves once it has subscribed.
 */
export async function startChildOracle(script: string, config: Record<string, unknown>, timeoutMs = 60_000): Promise<ChildOracle> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ORACLE_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child oracle did not become ready')), timeoutMs);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child oracle exited with ${code} before ready`));
    });
  });
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    process: child,
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited();
      clearTimeout(timer);
    },
  };
}

/**
 * Keeps a child oracle running like a process supervisor (systemd Restart=always): when it exits on its own —
 * e.g. an uncaught driver exception while PostgreSQL is down — it is started again. Returns the restart count.
 */
export function superviseChildOracle(script: string, config: Record<string, unknown>, first: ChildOracle): { current(): ChildOracle; restarts(): number; stop(): Promise<void> } {
  let current = first;
  let restarts = 0;
  let stopped = false;
  const watch = (child: ChildOracle) => {
    child.process.once('exit', () => {
      if (stopped) return;
      restarts++;
      const retry = async (): Promise<void> => {
        if (stopped) return;
        try {
          current = await startChildOracle(script, config);
          watch(current);
        } catch {
          await new Promise((r) => setTimeout(r, 500)); // the database may still be down
          return retry();
        }
      };
      void retry();
    });
  };
  watch(first);
  return {
    current: () => current,
    restarts: () => restarts,
    async stop() {
      stopped = true;
      await current.stop();
    },
  };
}
