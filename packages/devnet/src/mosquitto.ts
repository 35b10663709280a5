import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './embedded-postgres';

const run = promisify(execFile);

export interface MosquittoBroker {
  url: string;
  port: number;
  /** Stops the broker process (SIGTERM; it saves its persistence file). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same persistence file. */
  restart(): Promise<void>;
  /**
   * With `auth`: adds or changes a login in the password_file (`mosquitto_passwd -b`) and makes the running broker
   * reload it (SIGHUP), as an operator provisions a hotspot. Without `auth` it throws.
   */
  provisionUser(username: string, password: string): Promise<void>;
}

/** A login in mosquitto's password_file; only its salted hash is written. */
export interface MosquittoUser {
  username: string;
  password: string;
}

export interface MosquittoOptions {
  /**
   * Authentication as a deployment runs it: `allow_anonymous false`, a `password_file` made with mosquitto_passwd and
   * an `acl_file` with these lines (see `pocMosquittoAcl`). Without it the broker is anonymous, as before.
   */
  auth?: { users: MosquittoUser[]; acl: string[] };
  /**
   * What mosquitto queues for one session before it drops further messages to it (`max_queued_messages`,
   * `max_queued_bytes`). The tests' defaults (100,000 and MOSQUITTO_LIMITS.maxQueuedBytes) bound a hostile session;
   * a deployment sizes them for the longest oracle outage or backlog (docs/operations.md, "Ingest flow control").
   */
  queue?: { maxMessages: number; maxBytes: number };
}

/**
 * The network's static-credential ACL (docs/operations.md §7): every hotspot logs in with its address as username
 * and may write only under its own topics and read entropy; the oracle's service account publishes entropy and
 * reads reports and states.
 */
export function pocMosquittoAcl(oracleUsername: string): string[] {
  return [
    'pattern write poc/v1/+/hotspot/%u/#',
    'pattern read poc/v1/entropy',
    `user ${oracleUsername}`,
    'topic write poc/v1/entropy',
    'topic read poc/v1/+/hotspot/+/beacon',
    'topic read poc/v1/+/hotspot/+/witness',
    'topic read poc/v1/+/hotspot/+/state',
    'topic read poc/v1/+/hotspot/+/mapper',
  ];
}

const MOSQUITTO_PASSWD = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';

/** Started as root, mosquitto drops to the `mosquitto` user, which must read the files it reloads on SIGHUP. */
function letBrokerUserRead(path: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'mosquitto'], { encoding: 'utf8' }).trim());
    chownSync(path, id('-u'), id('-g'));
  } catch {
    // No `mosquitto` user: the broker keeps running as root and reads the file anyway.
  }
}

async function writeUsers(passwordFile: string, users: MosquittoUser[]): Promise<void> {
  for (const user of users) {
    if (/[:\n]/.test(user.username)) throw new Error(`mosquitto username ${JSON.stringify(user.username)} may not contain ':' or a newline`);
  }
  // Plain `user:password` lines, hashed in place by `mosquitto_passwd -U`; the plain text never outlives this call.
  await writeFile(passwordFile, users.map((u) => `${u.username}:${u.password}\n`).join(''), { mode: 0o600 });
  await run(MOSQUITTO_PASSWD, ['-U', passwordFile]);
  letBrokerUserRead(passwordFile);
}

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not open port ${port} within ${timeoutMs} ms`);
}

/**
 * The embedded broker's size limits in mosquitto 2.0.11 terms (see `man mosquitto.conf`):
 * - `max_packet_size` refuses any packet, CONNECT included, whose announced size is larger — read from its fixed
 *   header, before the body is buffered (the embedded broker's 16 KiB; mosquitto has no separate pre-login limit);
 * - `message_size_limit` drops (does not forward or retain) a publish whose payload is larger, completing its QoS
 *   flow — the largest per-topic payload the embedded broker allows (a 4 KiB report);
 * - `max_queued_bytes` bounds what mosquitto queues for one offline or slow session.
 * mosquitto 2.0 has no per-topic retain rule (only the global `retain_available`, which state and entropy need)
 * and no per-client publish rate; message_size_limit bounds a retained message to 4 KiB per topic.
 */
export const MOSQUITTO_LIMITS = { maxPacketSize: 16 * 1024, messageSizeLimit: 4096, maxQueuedBytes: 256 * 1024 * 1024 } as const;

/** A real mosquitto (Debian package) on loopback, with on-disk persistence so restarts keep sessions. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  // Started as root, mosquitto drops to the `mosquitto` user, which must be able to write its persistence file.
  await chmod(dir, 0o777);
  // The directory outlives stop() (restart() reuses it) and goes when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  const passwordFile = join(dir, 'passwords');
  const aclFile = join(dir, 'acl');
  if (options.auth) {
    await writeUsers(passwordFile, options.auth.users);
    await writeFile(aclFile, options.auth.acl.join('\n') + '\n', { mode: 0o600 });
    letBrokerUserRead(aclFile);
  }
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      ...(options.auth ? ['allow_anonymous false', `password_file ${passwordFile}`, `acl_file ${aclFile}`] : ['allow_anonymous true']),
      'persistence true',
      `persistence_location ${dir}/`,
      `max_queued_messages ${options.queue?.maxMessages ?? 100_000}`,
      'max_inflight_messages 100',
      `max_packet_size ${MOSQUITTO_LIMITS.maxPacketSize}`,
      `message_size_limit ${MOSQUITTO_LIMITS.messageSizeLimit}`,
      `max_queued_bytes ${options.queue?.maxBytes ?? MOSQUITTO_LIMITS.maxQueuedBytes}`,
      'log_dest none',
    ].join('\n') + '\n',
  );
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', config], { stdio: 'ignore' });
    child.once('error', (error) => {
      throw new Error(`cannot start ${MOSQUITTO} (apt-get install mosquitto): ${error.message}`);
    });
    await waitForPort(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async provisionUser(username, password) {
      if (!options.auth) throw new Error('this mosquitto runs without auth: start it with { auth } to provision users');
      if (/[:\n]/.test(username)) throw new Error(`mosquitto username ${JSON.stringify(username)} may not contain ':' or a newline`);
      await run(MOSQUITTO_PASSWD, ['-b', passwordFile, username, password]);
      letBrokerUserRead(passwordFile);
      child?.kill('SIGHUP');
    },
  };
}
