import { decodeReportPayload, generateHotspotKeypair, parseReportTopic } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { startChildOracle, type ChildOracle } from '@poc/devnet/child-oracle';
import { missingHashes, publishAll, signedReports, storageCounts, waitUntil, ORACLE_CHILD_SCRIPT } from './support';

/**
 * SIGKILL the oracle process while reports stream in, restart it with the same MQTT session, and count:
 * every report the broker accepted must end up stored exactly once.
 */
const TOTAL = 3000;
let db: TestDatabase;
let broker: MosquittoBroker;
let publisher: MqttClient;
let oracle: ChildOracle | null = null;
const oracleKeys = generateHotspotKeypair();

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startMosquitto();
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'fault-publisher', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
});
afterAll(async () => {
  await oracle?.kill();
  await publisher?.endAsync();
  await broker?.stop();
  await db?.drop();
});

describe('oracle killed with SIGKILL mid-stream', () => {
  it('stores every report the broker accepted exactly once after a restart on the same session', async () => {
    const { messages } = signedReports(TOTAL);
    const expected = new Set(messages.map((m) => {
      const d = decodeReportPayload(parseReportTopic(m.topic)!.kind, m.payload);
      if (!d.ok) throw new Error('fixture does not decode');
      return d.hash;
    }));
    const childConfig = { databaseUrl: db.url, mqttUrl: broker.url, mqttClientId: 'oracle-fault-1', oracleSecretHex: Buffer.from(oracleKeys.secretKey).toString('hex') };
    oracle = await startChildOracle(ORACLE_CHILD_SCRIPT, childConfig);

    let killedAt = -1;
    const publishing = publishAll(publisher, messages, 50);
    // Kill once a quarter is stored: reports are then in the oracle's buffers, in flight and still queued.
    await waitUntil(async () => {
      const c = await storageCounts(db.sql);
      return { done: c.stored >= TOTAL / 4, progress: c.stored, value: c };
    }, { timeoutMs: 60_000 });
    killedAt = (await storageCounts(db.sql)).stored;
    await oracle.kill();
    const accepted = await publishing; // the broker queues the rest for the oracle's persistent session
    oracle = await startChildOracle(ORACLE_CHILD_SCRIPT, childConfig);
    const final = await waitUntil(async () => {
      const c = await storageCounts(db.sql);
      return { done: c.stored >= TOTAL, progress: c.stored, value: c };
    });
    const missing = await missingHashes(db.sql, expected);
    console.log(
      `FAULT oracle SIGKILL: published ${TOTAL}, accepted by broker ${accepted}, stored at kill ${killedAt}, stored ${final.stored} ` +
        `(distinct ${final.distinct}), lost ${missing.length}, redeliveries absorbed as duplicates ${final.duplicatesAbsorbed}`,
    );
    expect(accepted).toBe(TOTAL);
    expect(missing).toEqual([]);
    expect(final.stored).toBe(TOTAL);
    expect(final.distinct).toBe(TOTAL);
  });
});
