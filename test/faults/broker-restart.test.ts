import { decodeReportPayload, parseReportTopic } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { startChildOracle, type ChildOracle } from '@poc/devnet/child-oracle';
import { allowMosquittoPersistence, missingHashes, publishAll, signedReports, storageCounts, waitUntil, ORACLE_CHILD_SCRIPT } from './support';

/** mosquitto restarted (persistence on) while reports stream from a publisher to an oracle process. */
const TOTAL = 3000;
let db: TestDatabase;
let broker: MosquittoBroker;
let publisher: MqttClient;
let oracle: ChildOracle | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startMosquitto();
  allowMosquittoPersistence(broker.port);
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'restart-publisher', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
});
afterAll(async () => {
  await oracle?.stop();
  await publisher?.endAsync();
  await broker?.stop();
  await db?.drop();
});

describe('MQTT broker restarted mid-stream', () => {
  it('stores every report exactly once: the publisher resends unacknowledged ones, the broker keeps queued ones', async () => {
    const { messages } = signedReports(TOTAL);
    const expected = new Set(messages.map((m) => (decodeReportPayload(parseReportTopic(m.topic)!.kind, m.payload) as { hash: string }).hash));
    oracle = await startChildOracle(ORACLE_CHILD_SCRIPT, { databaseUrl: db.url, mqttUrl: broker.url, mqttClientId: 'oracle-broker-fault', oracleSecretHex: randomBytes(32).toString('hex') });

    let restarted = false;
    const publishing = publishAll(publisher, messages, 50, (acked) => {
      if (!restarted && acked >= TOTAL / 3) {
        restarted = true;
        void broker.restart();
      }
    });
    const accepted = await publishing;
    const final = await waitUntil(async () => {
      const c = await storageCounts(db.sql);
      return { done: c.stored >= TOTAL, progress: c.stored, value: c };
    });
    const missing = await missingHashes(db.sql, expected);
    console.log(
      `FAULT mosquitto restart mid-stream: published ${TOTAL}, acknowledged by broker ${accepted}, stored ${final.stored} (distinct ${final.distinct}), ` +
        `lost ${missing.length}, redeliveries absorbed as duplicates ${final.duplicatesAbsorbed}`,
    );
    expect(restarted).toBe(true);
    expect(missing).toEqual([]);
    expect(final.stored).toBe(TOTAL);
    expect(final.distinct).toBe(TOTAL);
  });
});
