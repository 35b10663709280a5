import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './embedded-postgres';

export interface MosquittoBroker {
  url: string;
  port: number;
  /** Stops the broker process (SIGTERM; it saves its persistence file). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same persistence file. */
  restart(): Promise<void>;
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
export async function startMosquitto(): Promise<MosquittoBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  // Started as root, mosquitto drops to the `mosquitto` user, which must be able to write its persistence file.
  await chmod(dir, 0o777);
  // The directory outlives stop() (restart() reuses it) and goes when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 100000',
      'max_inflight_messages 100',
      `max_packet_size ${MOSQUITTO_LIMITS.maxPacketSize}`,
      `message_size_limit ${MOSQUITTO_LIMITS.messageSizeLimit}`,
      `max_queued_bytes ${MOSQUITTO_LIMITS.maxQueuedBytes}`,
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
  };
}
