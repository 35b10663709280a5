import { fileURLToPath } from 'node:url';
import {
  encodeReportPayload,
  generateHotspotKeypair,
  reportTopic,
  signBeaconReport,
  signWitnessReport,
  type HotspotKeypair,
} from '@poc/protocol';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Sql } from 'postgres';

export interface SignedMessage {
  topic: string;
  payload: Buffer;
}

/**
 * `count` signed reports (alternating beacons and witnesses) from `hotspotCount` hotspots, each unique, so the
 * set of hashes the oracle should store is known up front. Entropy is random: these test storage, not PoC validity.
 */
export function signedReports(count: number, hotspotCount = 50): { messages: SignedMessage[]; hotspots: HotspotKeypair[] } {
  const hotspots = Array.from({ length: hotspotCount }, () => generateHotspotKeypair());
  const remote = new Uint8Array(randomBytes(32));
  const messages: SignedMessage[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < count; i++) {
    const keys = hotspots[i % hotspotCount]!;
    if (i % 2 === 0) {
      const report = signBeaconReport(
        { pub_key: keys.address, local_entropy: new Uint8Array(randomBytes(4)), remote_entropy: remote, data: new Uint8Array(randomBytes(52)), frequency: 868_100_000, channel: 0, datarate: 'SF7BW125', tx_power: 14, timestamp: now + BigInt(i), tmst: i },
        keys.privateKeyObject,
      );
      messages.push({ topic: reportTopic('EU868', keys.address, 'beacon'), payload: encodeReportPayload('beacon', report) });
    } else {
      const report = signWitnessReport(
        { pub_key: keys.address, data: new Uint8Array(randomBytes(52)), timestamp: now + BigInt(i), tmst: i, signal: -1000, snr: 50, frequency: 868_100_000, datarate: 'SF7BW125' },
        keys.privateKeyObject,
      );
      messages.push({ topic: reportTopic('EU868', keys.address, 'witness'), payload: encodeReportPayload('witness', report) });
    }
  }
  return { messages, hotspots };
}

/** Publishes at QoS 1 in windows of `window`; resolves with how many the broker acknowledged. */
export async function publishAll(client: MqttClient, messages: readonly SignedMessage[], window = 50, onAcked?: (n: number) => void): Promise<number> {
  let acked = 0;
  for (let i = 0; i < messages.length; i += window) {
    await Promise.all(
      messages.slice(i, i + window).map(async (m) => {
        // mqtt.js resends unacknowledged QoS 1 publishes itself after a reconnect.
        await client.publishAsync(m.topic, m.payload, { qos: 1 });
        acked++;
      }),
    );
    onAcked?.(acked);
  }
  return acked;
}

export interface StorageCounts {
  stored: number;
  distinct: number;
  duplicatesAbsorbed: number;
}

export async function storageCounts(sql: Sql): Promise<StorageCounts> {
  const [row] = await sql<{ stored: bigint; distinct: bigint; dup: bigint }[]>`
    SELECT (SELECT count(*) FROM beacon_reports) + (SELECT count(*) FROM witness_reports) AS stored,
           (SELECT count(DISTINCT hash) FROM (SELECT hash FROM beacon_reports UNION ALL SELECT hash FROM witness_reports) h) AS distinct,
           (SELECT coalesce(sum(count), 0) FROM rejected_messages WHERE reason = 'duplicate') AS dup`;
  return { stored: Number(row!.stored), distinct: Number(row!.distinct), duplicatesAbsorbed: Number(row!.dup) };
}

/** Hashes of `messages` that are not stored. */
export async function missingHashes(sql: Sql, expected: ReadonlySet<string>): Promise<string[]> {
  const rows = await sql<{ hash: string }[]>`SELECT hash FROM beacon_reports UNION ALL SELECT hash FROM witness_reports`;
  const stored = new Set(rows.map((r) => r.hash));
  return [...expected].filter((h) => !stored.has(h));
}

/** Polls until `probe` returns a value or stops making progress for `stallMs` (bounded by `timeoutMs`). */
export async function waitUntil<T>(probe: () => Promise<{ done: boolean; progress: number; value: T }>, { timeoutMs = 90_000, stallMs = 20_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const r = await probe();
    if (r.done) return r.value;
    if (r.progress !== last) {
      last = r.progress;
      lastChange = Date.now();
    }
    if (Date.now() > deadline || Date.now() - lastChange > stallMs) return r.value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Run as root, mosquitto drops to the `mosquitto` user and cannot write its persistence file into the 0700
 * directory packages/devnet/src/mosquitto.ts creates, so a restart silently forgets every session. Until that
 * launcher chmods its directory, open it up here (found by the listener port in its config).
 */
export function allowMosquittoPersistence(port: number): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('mosquitto-')) continue;
    const dir = join(tmpdir(), entry);
    try {
      if (readFileSync(join(dir, 'mosquitto.conf'), 'utf8').includes(`listener ${port} `)) chmodSync(dir, 0o777);
    } catch {
      // another run's directory, being removed
    }
  }
}

/** The oracle process the fault tests start, kill and supervise. */
export const ORACLE_CHILD_SCRIPT = fileURLToPath(new URL('./oracle-child.ts', import.meta.url));
