/**
 * The load test's publisher (scripts/load-test.ts, docs/operations.md §6), forked with one JSON argument. Before the
 * clock starts it signs every report and encodes every MQTT PUBLISH packet; then report i is due at
 * startAtMs + i / rate and goes out on connection i mod clients. A timer wakes every TICK_MS and each connection
 * writes, in one corked write, every report of its own that is due — the schedule is a token bucket per
 * connection, open loop: a late report is not rescheduled, its lateness is measured from the moment it was due.
 * Lateness has two causes, reported apart: the publisher's own event loop (the report could have been sent, the
 * timer woke late) and the broker (the connection's window of unacknowledged publishes was full or its socket had
 * a backlog). IPC: sends {type:'ready', startAtMs}; on {type:'go'} publishes, sends {type:'progress'} every second
 * and {type:'done', …PublisherResult}; {type:'exit'} disconnects and exits.
 */
import { generateHotspotKeypair } from '@poc/protocol';
import { encodeQos1Publish, Qos1Publisher, type EncodedQos1Publish } from '@poc/devnet/mqtt-qos1-publisher';
import { presignedWitnessStream } from '@poc/oracle/testing';

export interface LoadTestPublisherOptions {
  brokerUrls: string[];
  clients: number;
  count: number;
  hotspots: number;
  ratePerSecond: number;
  streamId: number;
  /** Unacknowledged publishes per connection before it waits for the broker. */
  maxInFlightPerClient: number;
  /** Nothing is sent after startAtMs + this (a report not sent by then is counted unsent). */
  sendWindowMs: number;
  /** How long after the last send PUBACKs are still awaited. */
  ackTimeoutMs: number;
}

export interface PublisherResult {
  type: 'done';
  sent: number;
  acknowledged: number;
  /** startAtMs → the last send. */
  sendSeconds: number;
  /** startAtMs → the last PUBACK. */
  ackSeconds: number;
  /** Reports sent late because the publisher's timer woke late (ms past due): p50, p99, max. */
  publisherLateMs: [number, number, number];
  /** Reports held by a full window or socket backlog, and their lateness (ms past due): p99, max. */
  heldByBroker: number;
  brokerLateMs: [number, number];
  /** The publisher's CPU time over the run, seconds. */
  cpuSeconds: number;
  closedConnections: number;
  unexpectedAcknowledgements: number;
}

const TICK_MS = 2;
/** Bytes queued in user space for one socket above which the connection counts as held by the network. */
const MAX_UNWRITTEN_BYTES = 512 * 1024;

const o = JSON.parse(process.argv[2]!) as LoadTestPublisherOptions;
const send = (m: object) => process.send?.(m);
const keys = Array.from({ length: o.hotspots }, () => generateHotspotKeypair());
// Estimate the signing time so the schedule starts after it.
const probeStart = performance.now();
presignedWitnessStream({ count: 200, hotspots: keys, firstTimestampNs: 0n, spacingNs: 1n, streamId: o.streamId });
const msPerReport = (performance.now() - probeStart) / 200;
const startAtMs = Date.now() + Math.ceil(o.count * msPerReport * 1.5) + 3000;
const dueMs = (i: number) => startAtMs + (i * 1000) / o.ratePerSecond;
const reports = presignedWitnessStream({
  count: o.count,
  hotspots: keys,
  firstTimestampNs: BigInt(startAtMs) * 1_000_000n,
  spacingNs: BigInt(Math.round(1e9 / o.ratePerSecond)),
  streamId: o.streamId,
});
const packets: EncodedQos1Publish[] = reports.map((r) => encodeQos1Publish(r.topic, r.payload));
reports.length = 0;

let acknowledged = 0;
let sentSoFar = () => 0;
let lastAckMs = 0;
let closedConnections = 0;
const connections = await Promise.all(
  Array.from({ length: o.clients }, (_, i) =>
    Qos1Publisher.connect({
      url: o.brokerUrls[i % o.brokerUrls.length]!,
      clientId: `load-test-pub-${process.pid}-${i}`,
      maxInFlight: o.maxInFlightPerClient,
      onAcknowledged: () => {
        acknowledged++;
        lastAckMs = Date.now();
      },
      onClosed: (unacknowledged, error) => {
        closedConnections++;
        console.error(`load-test publisher: connection ${i} closed with ${unacknowledged} unacknowledged${error ? `: ${error.message}` : ''}`);
      },
    }),
  ),
);
send({ type: 'ready', startAtMs });

const percentile = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
const round = (ms: number) => Math.round(ms * 10) / 10;

function run(): Promise<PublisherResult> {
  const cpuStart = process.cpuUsage();
  const lanes = connections.length;
  const next = connections.map((_, lane) => lane);
  /** Per lane: the last time a due report of it was held by the broker (0 = never). */
  const heldAt = connections.map(() => 0);
  const publisherLate: number[] = [];
  const brokerLate: number[] = [];
  let sent = 0;
  sentSoFar = () => sent;
  let lastSendMs = startAtMs;
  const sendUntil = startAtMs + o.sendWindowMs;
  return new Promise((resolve) => {
    const finish = () => {
      const cpu = process.cpuUsage(cpuStart);
      const p = Float64Array.from(publisherLate).sort();
      const b = Float64Array.from(brokerLate).sort();
      resolve({
        type: 'done',
        sent,
        acknowledged,
        sendSeconds: (lastSendMs - startAtMs) / 1000,
        ackSeconds: (Math.max(lastAckMs, startAtMs) - startAtMs) / 1000,
        publisherLateMs: [round(percentile(p, 0.5)), round(percentile(p, 0.99)), round(p.at(-1) ?? 0)],
        heldByBroker: b.length,
        brokerLateMs: [round(percentile(b, 0.99)), round(b.at(-1) ?? 0)],
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        closedConnections,
        unexpectedAcknowledgements: connections.reduce((s, c) => s + c.unexpectedAcknowledgements, 0),
      });
    };
    const awaitAcknowledgements = () => {
      const giveUp = Date.now() + o.ackTimeoutMs;
      const check = () => {
        if (acknowledged >= sent || Date.now() >= giveUp || connections.every((c) => c.closed)) finish();
        else setTimeout(check, 20);
      };
      check();
    };
    const tick = () => {
      const now = Date.now();
      for (let lane = 0; lane < lanes; lane++) {
        const connection = connections[lane]!;
        let i = next[lane]!;
        if (i >= packets.length || dueMs(i) > now) continue;
        connection.batch(() => {
          while (i < packets.length && dueMs(i) <= now) {
            if (!connection.canSend || connection.unwrittenBytes > MAX_UNWRITTEN_BYTES) {
              heldAt[lane] = now;
              break;
            }
            const late = now - dueMs(i);
            // Due while this lane was held: the broker's share of the lateness; otherwise the publisher's own.
            if (dueMs(i) <= heldAt[lane]!) brokerLate.push(late);
            else publisherLate.push(late);
            connection.publish(packets[i]!, i);
            packets[i] = undefined as unknown as EncodedQos1Publish;
            sent++;
            i += lanes;
          }
        });
        if (i !== next[lane]) lastSendMs = now;
        next[lane] = i;
      }
      const allSent = next.every((i) => i >= packets.length);
      if (allSent || now >= sendUntil || connections.every((c) => c.closed)) awaitAcknowledgements();
      else setTimeout(tick, TICK_MS);
    };
    setTimeout(tick, Math.max(0, startAtMs - Date.now()));
  });
}

process.on('message', async (m: { type?: string }) => {
  if (m.type === 'go') {
    const progress = setInterval(() => send({ type: 'progress', acknowledged, sent: sentSoFar() }), 1000);
    const result = await run();
    clearInterval(progress);
    send(result);
  }
  if (m.type === 'exit') {
    await Promise.all(connections.map((c) => c.disconnect()));
    process.exit(0);
  }
});
