/**
 * Publishes pre-signed witness reports at QoS 1 over several MQTT connections for the ingest benchmark, as fast as
 * the broker acknowledges (closed loop: each connection keeps up to inFlightPerClient unacknowledged). Every report
 * is signed and encoded as an MQTT PUBLISH packet before the clock starts, and the raw client
 * (@poc/devnet/mqtt-qos1-publisher) only patches a packet id and writes, so the publisher takes little of the CPU the
 * oracle, mosquitto and PostgreSQL share (oracle/README.md §Ingest CPU per report).
 * Forked with one JSON argument. IPC: signs and connects, sends {type:'ready'}; on each {type:'go'} publishes every
 * report (report i on connection i mod clients), then sends {type:'done', acknowledged, seconds, cpuMs};
 * {type:'exit'} disconnects and exits. A connection that closes during a run ends the process with an error.
 * Every report carries the same timestamp, a moment after signing; its tmst is i (see presigned-reports.ts).
 */
import { generateHotspotKeypair } from '@poc/protocol';
import { encodeQos1Publish, Qos1Publisher, type EncodedQos1Publish } from '@poc/devnet/mqtt-qos1-publisher';
import { presignedWitnessStream } from '../../test/presigned-reports';

export interface ReportPublisherOptions {
  brokerUrl: string;
  clients: number;
  count: number;
  hotspots: number;
  streamId: number;
  /** Unacknowledged publishes per connection. */
  inFlightPerClient?: number;
}

const o = JSON.parse(process.argv[2]!) as ReportPublisherOptions;
const send = (m: object) => process.send?.(m);
const keys = Array.from({ length: o.hotspots }, () => generateHotspotKeypair());
// The reports' timestamp: after the signing time, estimated on a probe, as when this publisher had a schedule.
const probeStart = performance.now();
presignedWitnessStream({ count: 200, hotspots: keys, firstTimestampNs: 0n, spacingNs: 1n, streamId: o.streamId });
const msPerReport = (performance.now() - probeStart) / 200;
const timestampMs = Date.now() + Math.ceil(o.count * msPerReport * 1.5) + 2000;
const reports = presignedWitnessStream({ count: o.count, hotspots: keys, firstTimestampNs: BigInt(timestampMs) * 1_000_000n, spacingNs: 0n, streamId: o.streamId });

/** One connection and the reports it sends (report i goes on lane i mod clients). */
interface Lane {
  connection: Qos1Publisher;
  packets: EncodedQos1Publish[];
  next: number;
  refillQueued: boolean;
}
const lanes: Lane[] = [];
let acknowledged = 0;
let finishRun: (() => void) | null = null;
let exiting = false;

function fill(lane: Lane): void {
  lane.refillQueued = false;
  lane.connection.batch(() => {
    while (lane.next < lane.packets.length && lane.connection.canSend) lane.connection.publish(lane.packets[lane.next]!, lane.next++);
  });
}

for (let l = 0; l < o.clients; l++) {
  const packets: EncodedQos1Publish[] = [];
  for (let i = l; i < reports.length; i += o.clients) packets.push(encodeQos1Publish(reports[i]!.topic, reports[i]!.payload));
  const connection = await Qos1Publisher.connect({
    url: o.brokerUrl,
    clientId: `bench-pub-${process.pid}-${l}`,
    maxInFlight: o.inFlightPerClient ?? 500,
    onAcknowledged: () => {
      acknowledged++;
      // One corked refill per chunk of PUBACKs, after the chunk is read.
      if (!lane.refillQueued) {
        lane.refillQueued = true;
        queueMicrotask(() => fill(lane));
      }
      if (acknowledged === o.count) finishRun?.();
    },
    onClosed: (unacknowledged, error) => {
      if (exiting) return;
      console.error(`bench publisher: connection ${l} closed with ${unacknowledged} unacknowledged${error ? `: ${error.message}` : ''}`);
      process.exit(1);
    },
  });
  const lane: Lane = { connection, packets, next: 0, refillQueued: false };
  lanes.push(lane);
}
send({ type: 'ready' });

process.on('message', async (m: { type?: string }) => {
  if (m.type === 'go') {
    acknowledged = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const done = new Promise<void>((resolve) => (finishRun = resolve));
    for (const lane of lanes) {
      lane.next = 0;
      fill(lane);
    }
    await done;
    const cpu = process.cpuUsage(cpuBefore);
    send({ type: 'done', acknowledged, seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (m.type === 'exit') {
    exiting = true;
    await Promise.all(lanes.map((lane) => lane.connection.disconnect()));
    process.exit(0);
  }
});
