import { deriveEntropy, ENTROPY_TOPIC, encodeEntropyPayload, signEntropy, type EntropyReport, type HotspotKeypair } from '@poc/protocol';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';

/** Source of a recent chain blockhash (Helium uses Solana's); without one the oracle uses 32 random bytes. */
export type BlockhashSource = () => Promise<Uint8Array>;

/** Makes, stores and returns one signed entropy (packages/protocol/SPEC.md §Entropy): blake3(i64le(ts_secs) ‖ blockhash), version 0. */
export async function issueEntropy(sql: Sql, keypair: HotspotKeypair, nowMs: number, blockhash?: BlockhashSource): Promise<EntropyReport> {
  const timestamp = BigInt(Math.floor(nowMs / 1000));
  let hash: Uint8Array = randomBytes(32);
  // A chain hiccup must not stop beacons: without a fresh blockhash the entropy is still unpredictable.
  if (blockhash) hash = await blockhash().catch(() => hash);
  const entropy = signEntropy({ data: deriveEntropy(timestamp, hash), timestamp, version: 0, oracle_key: keypair.address }, keypair.privateKeyObject);
  await sql`
    INSERT INTO entropy (data, timestamp_s, version, signature)
    VALUES (${Buffer.from(entropy.data)}, ${String(timestamp)}::bigint, ${entropy.version}, ${Buffer.from(entropy.signature)})
    ON CONFLICT (data) DO NOTHING`;
  return entropy;
}

export interface EntropyPublisher {
  stop(): void;
  latest(): EntropyReport | null;
}

/** Publishes fresh signed entropy every interval, retained on `poc/v1/entropy`, stored before it is published. */
export function startEntropyPublisher(o: {
  sql: Sql;
  client: MqttClient;
  keypair: HotspotKeypair;
  intervalSeconds: number;
  blockhash?: BlockhashSource;
  logger: Logger;
  onPublished?: () => void;
}): EntropyPublisher {
  let latest: EntropyReport | null = null;
  let stopped = false;
  const tick = async () => {
    try {
      const entropy = await issueEntropy(o.sql, o.keypair, Date.now(), o.blockhash);
      await o.client.publishAsync(ENTROPY_TOPIC, encodeEntropyPayload(entropy), { qos: 1, retain: true });
      latest = entropy;
      o.onPublished?.();
    } catch (error) {
      if (!stopped) o.logger.error({ err: error }, 'publishing entropy failed');
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), o.intervalSeconds * 1000);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    latest: () => latest,
  };
}
