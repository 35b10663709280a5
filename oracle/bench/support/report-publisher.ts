/**
 * Publishes pre-signed witness reports at QoS 1 over several MQTT connections, for the ingest benchmark and
 * scripts/load-test.ts (signing happens before the clock starts, so the sender is not the bottleneck).
 * Forked with one JSON argument. IPC: signs, sends {type:'ready', startAtMs}; on each {type:'go'} publishes every
 * report — as fast as the broker acknowledges (ratePerSecond 0) or report i at startAtMs + i/rate — then sends
 * {type:'done'}; {type:'exit'} disconnects and exits.
 * Report i's own timestamp is the moment it is due (startAtMs + i/rate), its tmst is i (see presigned-reports.ts).
 */
import { generateHotspotKeypair } from '@poc/protocol';
import mqtt from 'mqtt';
import { presignedWitnessStream } from '../../test/presigned-reports';

export interface ReportPublisherOptions {
  brokerUrls: string[];
  clients: number;
  count: number;
  hotspots: number;
  /** 0 = as fast as acknowledgements allow. */
  ratePerSecond: number;
  streamId: number;
  /** Unacknowledged publishes per connection. */
  inFlightPerClient?: number;
}

const o = JSON.parse(process.argv[2]!) as ReportPublisherOptions;
const send = (m: object) => process.send?.(m);
const keys = Array.from({ length: o.hotspots }, () => generateHotspotKeypair());
// Estimate the signing time so the schedule starts after it: report i is due at startAtMs + i / rate.
const probeStart = performance.now();
presignedWitnessStream({ count: 200, hotspots: keys, firstTimestampNs: 0n, spacingNs: 1n, streamId: o.streamId });
const msPerReport = (performance.now() - probeStart) / 200;
const startAtMs = Date.now() + Math.ceil(o.count * msPerReport * 1.5) + 2000;
const spacingNs = o.ratePerSecond > 0 ? BigInt(Math.round(1e9 / o.ratePerSecond)) : 0n;
const reports = presignedWitnessStream({ count: o.count, hotspots: keys, firstTimestampNs: BigInt(startAtMs) * 1_000_000n, spacingNs, streamId: o.streamId });

const clients = await Promise.all(
  Array.from({ length: o.clients }, (_, i) =>
    mqtt.connectAsync(o.brokerUrls[i % o.brokerUrls.length]!, { clientId: `bench-pub-${process.pid}-${i}`, protocolVersion: 4, reconnectPeriod: 1000 }),
  ),
);
send({ type: 'ready', startAtMs });

const limit = o.inFlightPerClient ?? 500;
let acknowledged = 0;
async function publishLane(lane: number): Promise<void> {
  const client = clients[lane]!;
  const inFlight = new Set<Promise<unknown>>();
  for (let i = lane; i < reports.length; i += clients.length) {
    if (o.ratePerSecond > 0) {
      const wait = startAtMs + (i * 1000) / o.ratePerSecond - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    const p = client.publishAsync(reports[i]!.topic, reports[i]!.payload, { qos: 1 }).then(() => {
      acknowledged++;
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

process.on('message', async (m: { type?: string }) => {
  if (m.type === 'go') {
    acknowledged = 0;
    const started = performance.now();
    const progress = setInterval(() => send({ type: 'progress', acknowledged }), 1000);
    await Promise.all(clients.map((_, lane) => publishLane(lane)));
    clearInterval(progress);
    send({ type: 'done', acknowledged, seconds: (performance.now() - started) / 1000 });
  }
  if (m.type === 'exit') {
    await Promise.all(clients.map((c) => c.endAsync()));
    process.exit(0);
  }
});
