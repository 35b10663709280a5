import type { BeaconReport, WitnessReport } from '@poc/protocol';
import type { IngestRejection } from '../verify/reasons';
import type { IngestWorkerPool } from './worker-pool';

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

export type AcceptedReport =
  | { kind: 'beacon'; hash: string; report: BeaconReport; receivedAt: Date; payload: Buffer; topic: string }
  | { kind: 'witness'; hash: string; report: WitnessReport; receivedAt: Date; payload: Buffer; topic: string };

export interface Rejection {
  topic: string;
  reason: IngestRejection;
  detail: string | null;
  payload: Buffer;
  receivedAt: Date;
}

/** Decodes and verifies a batch on the worker pool; returns accepted reports in arrival order and every rejection. */
export async function decodeAndVerify(messages: readonly IncomingMessage[], pool: IngestWorkerPool): Promise<{ accepted: AcceptedReport[]; rejected: Rejection[] }> {
  const outcomes = await pool.run(messages.map((m) => ({ topic: m.topic, payload: m.payload })));
  const accepted: AcceptedReport[] = [];
  const rejected: Rejection[] = [];
  outcomes.forEach((o, i) => {
    const m = messages[i]!;
    if (o.ok) accepted.push({ kind: o.kind, hash: o.hash, report: o.report, receivedAt: m.receivedAt, payload: m.payload, topic: m.topic } as AcceptedReport);
    else rejected.push({ topic: m.topic, reason: o.reason, detail: o.detail, payload: m.payload, receivedAt: m.receivedAt });
  });
  return { accepted, rejected };
}
