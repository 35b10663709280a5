/**
 * Starts `poc-localchain` (programs/localchain): solana-program-test's bank with poc-network
 * loaded natively, served as a Solana JSON-RPC subset + signature PubSub on one port. Its
 * state is in memory only. With SOLANA_RPC_URL set, `startChain` uses that cluster instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PublicKey } from '@solana/web3.js';

export interface LocalChain {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  /** The child process, or null when connected to an external cluster. */
  process: ChildProcess | null;
  stop(): Promise<void>;
}

export interface StartLocalChainOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Path of a prebuilt binary; default POC_LOCALCHAIN_BIN or $CARGO_TARGET_DIR/debug/poc-localchain. */
  binary?: string;
  /**
   * Run `cargo build -p poc-localchain` first (a no-op when up to date). Default: yes, unless a
   * prebuilt binary is named (option `binary` or POC_LOCALCHAIN_BIN), so the chain never runs a
   * stale program.
   */
  build?: boolean;
  /** Log every RPC method to stderr. */
  verbose?: boolean;
  /**
   * The program's upgrade authority, the only key that can initialise the network (what deploying
   * it would record). Without it nobody can. Ignored for a cluster at SOLANA_RPC_URL, where the
   * deploying wallet is the upgrade authority.
   */
  upgradeAuthority?: PublicKey;
  /** Receives the chain's stderr lines (default: dropped unless verbose). */
  onLog?: (line: string) => void;
  /** How long to wait for the chain to listen (default 120 s, not counting a build). */
  startTimeoutMs?: number;
}

/** programs/ in this repository. */
export const PROGRAMS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'programs');

export function cargoTargetDir(): string {
  return process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'poc-network', 'target');
}

export function localChainBinary(): string {
  return process.env.POC_LOCALCHAIN_BIN || join(cargoTargetDir(), 'debug', 'poc-localchain');
}

/** Builds the local chain with cargo (a no-op when up to date; ~10 min on a cold cache). */
export function buildLocalChain(): void {
  const res = spawnSync('cargo', ['build', '--locked', '-p', 'poc-localchain'], {
    cwd: PROGRAMS_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CARGO_TARGET_DIR: cargoTargetDir(), CARGO_PROFILE_DEV_DEBUG: '0', CARGO_INCREMENTAL: '0' },
  });
  if (res.status !== 0) throw new Error(`cargo build -p poc-localchain failed (exit ${res.status ?? res.signal})`);
}

export async function startLocalChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const named = options.binary ?? process.env.POC_LOCALCHAIN_BIN;
  const binary = named ?? localChainBinary();
  if (options.build ?? (!named || !existsSync(binary))) buildLocalChain();
  if (!existsSync(binary)) throw new Error(`poc-localchain binary not found at ${binary}`);

  const args = ['--port', String(options.port ?? 0), '--exit-on-stdin-close'];
  if (options.verbose) args.push('--verbose');
  if (options.upgradeAuthority) args.push('--upgrade-authority', options.upgradeAuthority.toBase58());
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'error' } });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
    if (options.onLog) options.onLog(line);
    else if (options.verbose) process.stderr.write(`[localchain] ${line}\n`);
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`poc-localchain did not start within ${options.startTimeoutMs ?? 120_000} ms\n${stderr.join('\n')}`));
    }, options.startTimeoutMs ?? 120_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^LISTENING (\d+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`poc-localchain exited (${code ?? signal}) before listening\n${stderr.join('\n')}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
  });

  let stopped = false;
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The chain to use: the cluster at SOLANA_RPC_URL (WebSocket at SOLANA_WS_URL, or derived by
 * web3.js) when set, else a fresh local chain.
 */
export async function startChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const url = process.env.SOLANA_RPC_URL;
  if (url) {
    const u = new URL(url);
    const wsUrl = process.env.SOLANA_WS_URL || `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.hostname}${u.port ? `:${Number(u.port) + 1}` : ''}${u.pathname}`;
    return { rpcUrl: url, wsUrl, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), process: null, stop: async () => {} };
  }
  return startLocalChain(options);
}
