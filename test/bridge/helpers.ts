import { beaconFrame, decodeReportPayload } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { type Rxpk } from '@poc/hotspot-firmware-bridge';

/** A PoC beacon as a concentrator would report it; `n` makes each one distinct. */
export function beaconRxpkNumber(n: number): Rxpk {
  const data = new Uint8Array(51);
  new DataView(data.buffer).setUint32(0, n);
  data.fill(0xab, 4);
  const frame = beaconFrame(data);
  return {
    tmst: n, freq: 867.9, chan: 4, rfch: 0, stat: 1, modu: 'LORA', datr: 'SF12BW125', codr: '4/5',
    rssi: -100, lsnr: -5, size: frame.length, data: Buffer.from(frame).toString('base64'), payload: frame,
  };
}

/** Subscribes (persistent session, QoS 1) to every witness report and records which beacon numbers arrived. */
export async function startReportCollector(url: string, clientId: string) {
  const received = new Map<number, number>();
  const states: string[] = [];
  let invalid = 0;
  const client: MqttClient = mqtt.connect(url, {
    clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 200,
  });
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/state')) {
      states.push(payload.toString());
      return;
    }
    const decoded = decodeReportPayload('witness', payload);
    if (!decoded.ok || decoded.kind !== 'witness') {
      invalid++;
      return;
    }
    const n = new DataView(decoded.report.data.buffer, decoded.report.data.byteOffset).getUint32(0);
    received.set(n, (received.get(n) ?? 0) + 1);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(['poc/v1/+/hotspot/+/witness', 'poc/v1/+/hotspot/+/state'], { qos: 1 });
  return {
    received,
    states,
    get invalid() {
      return invalid;
    },
    duplicates: () => [...received.values()].reduce((n, c) => n + c - 1, 0),
    missing: (count: number) => Array.from({ length: count }, (_, i) => i).filter((i) => !received.has(i)),
    stop: () => client.endAsync(true),
  };
}
