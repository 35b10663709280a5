import { encodeReportPayload, generateHotspotKeypair, reportTopic, signWitnessReport, type HotspotKeypair } from '@poc/protocol';

/** A report ready to publish: the bytes a hotspot would send, signed in advance so the sender costs no CPU. */
export interface PresignedReport {
  topic: string;
  payload: Buffer;
}

export interface PresignedStreamOptions {
  count: number;
  /** Distinct hotspot keys, used round-robin. */
  hotspots: HotspotKeypair[] | number;
  /** The first report's own timestamp (ns); report i carries firstTimestampNs + i × spacingNs. */
  firstTimestampNs: bigint;
  spacingNs: bigint;
  /** Makes the reports of different streams distinct (different `data`). */
  streamId?: number;
}

/**
 * Witness reports with timestamps on a schedule and `tmst` = their index, so a reader of the database can tell
 * which planned report was stored and when it was due (load test, ingest benchmark, flow-control tests).
 */
export function presignedWitnessStream(o: PresignedStreamOptions): PresignedReport[] {
  const keys = typeof o.hotspots === 'number' ? Array.from({ length: o.hotspots }, () => generateHotspotKeypair()) : o.hotspots;
  const stream = o.streamId ?? 0;
  const out: PresignedReport[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const k = keys[i % keys.length]!;
    const data = new Uint8Array(32);
    new DataView(data.buffer).setUint32(0, stream);
    new DataView(data.buffer).setUint32(4, i);
    const report = signWitnessReport(
      {
        pub_key: k.address,
        data,
        timestamp: o.firstTimestampNs + BigInt(i) * o.spacingNs,
        tmst: i,
        signal: -1000 - (i % 200),
        snr: 50,
        frequency: 867_900_000,
        datarate: 'SF12BW125',
      },
      k.privateKeyObject,
    );
    out[i] = { topic: reportTopic('EU868', k.address, 'witness'), payload: encodeReportPayload('witness', report) };
  }
  return out;
}
