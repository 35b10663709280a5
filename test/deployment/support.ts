import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '..', '..');

/** The deployable mains as `npm run build` writes them (package.json `bin` entries point here). */
export const BINS = {
  oracle: join(ROOT, 'oracle', 'dist', 'main.mjs'),
  mapper: join(ROOT, 'mapper', 'dist', 'main.mjs'),
  bridge: join(ROOT, 'hotspot-firmware-bridge', 'dist', 'cli.mjs'),
} as const;

/** What the bins bundle: the three services' sources and every shared workspace's. */
const BUNDLED_SOURCES = ['oracle/src', 'mapper/src', 'hotspot-firmware-bridge/src', 'packages', 'scripts/build-services.mjs'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** Runs `npm run build`'s script when a bin is missing or older than a source it bundles, so the test runs this tree. */
export async function ensureServiceBins(): Promise<void> {
  const bins = Object.values(BINS);
  const stale =
    bins.some((bin) => !existsSync(bin)) ||
    Math.max(...BUNDLED_SOURCES.map((source) => newestMtime(join(ROOT, source)))) > Math.min(...bins.map((bin) => statSync(bin).mtimeMs));
  if (stale) await run(process.execPath, [join(ROOT, 'scripts', 'build-services.mjs')], { cwd: ROOT, timeout: 120_000 });
}

/** One service as an OS process: `node <bin> …`, its output kept (the last 64 KB) for failure messages. */
export class ServiceProcess {
  readonly child: ChildProcess;
  private log = '';

  constructor(
    readonly name: string,
    bin: string,
    args: string[],
    env: Record<string, string>,
  ) {
    // Only what a systemd unit would give it: PATH and the service's own settings.
    this.child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-64 * 1024);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return `--- ${this.name} output (tail) ---\n${this.log.slice(-8 * 1024)}`;
  }

  /** Resolves with the exit code (null when a signal ended it), or rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms\n${this.output()}`)), timeoutMs);
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
  }

  /** SIGTERM, as systemd stops a unit; resolves with how it exited. */
  async terminate(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited(timeoutMs);
  }

  /** Cleanup after a failure: SIGKILL if still running. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited(10_000).catch(() => undefined);
  }
}

/** `poc-bridge keygen --key FILE` through the bin; returns the printed address. */
export async function keygen(keyFile: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BINS.bridge, 'keygen', '--key', keyFile], { cwd: ROOT, timeout: 30_000 });
  const address = /hotspot address: (\S+)/.exec(stdout)?.[1];
  if (!address) throw new Error(`poc-bridge keygen printed no address:\n${stdout}`);
  return address;
}

/** GET a URL: status and parsed JSON body (null when the body is not JSON or nothing answers). */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON.
    }
    return { status: response.status, body };
  } catch {
    return { status: 0, body: null };
  }
}
