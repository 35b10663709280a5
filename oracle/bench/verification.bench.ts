/**
 * Verification pipeline throughput vs raw Ed25519 verification, same machine, same run.
 * Baseline: node:crypto Ed25519 verify on one thread, keys and canonical bytes prepared in advance (the pure crypto cost
 * with the verifier the pipeline used before libsodium; kept so ratios compare across runs). Also printed, per
 * CPU-second on the same prepared inputs: libsodium's single verify (the verifier before the batch one) and the
 * native batch verifier the pipeline uses now (oracle/native/ed25519-batch), in batches of a worker's chunk.
 * Pipeline: what the oracle's MQTT subscriber does per message before the database write — topic parse, JSON + zod
 * schema decode, Helium canonical protobuf bytes, SHA-256 report hash, b58check key decode, topic/pub_key check and
 * Ed25519 verification — all on the worker-thread pool, batches in flight like the subscriber.
 */
import {
  canonicalWitnessBytes,
  decodeHotspotAddress,
  encodeReportPayload,
  generateHotspotKeypair,
  reportTopic,
  signWitnessReport,
  type WitnessReport,
} from '@poc/protocol';
import { createPublicKey, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { decodeAndVerify, type IncomingMessage } from '../src/ingest/decode';
import { crypto_sign_verify_detached } from 'sodium-native';
import { verifyEd25519Batch } from '../src/ingest/ed25519';
import { IngestWorkerPool } from '../src/ingest/worker-pool';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 2);
const keys = Array.from({ length: 500 }, () => generateHotspotKeypair());
const reports: WitnessReport[] = Array.from({ length: REPORTS }, (_, i) => {
  const k = keys[i % keys.length]!;
  return signWitnessReport(
    {
      pub_key: k.address,
      data: new Uint8Array(51).fill(i & 0xff),
      timestamp: BigInt(1_700_000_000_000 + i) * 1_000_000n,
      tmst: i,
      signal: -1000 - (i % 200),
      snr: 50,
      frequency: 867_900_000,
      datarate: 'SF12BW125',
    },
    k.privateKeyObject,
  );
});
const messages: IncomingMessage[] = reports.map((r) => ({
  topic: reportTopic('EU868', r.pub_key, 'witness'),
  payload: encodeReportPayload('witness', r),
  receivedAt: new Date(),
}));

/** Reports per CPU-second (all threads of the process), the load-independent cost of each side. */
const cpu = { raw: [] as number[], pipeline: [] as number[], sodium: [] as number[], batch: [] as number[], batchOneBad: [] as number[] };
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function rawVerifyPerSecond(): number {
  const cpuStart = cpuSeconds();
  const spki = Buffer.from('302a300506032b6570032100', 'hex');
  const keyObjects = new Map(keys.map((k) => [k.address, createPublicKey({ key: Buffer.concat([spki, k.publicKey]), format: 'der', type: 'spki' })]));
  const prepared = reports.map((r) => ({ key: keyObjects.get(r.pub_key)!, message: canonicalWitnessBytes(r), signature: r.signature }));
  const start = process.hrtime.bigint();
  let ok = 0;
  for (const p of prepared) if (verify(null, p.message, p.key, p.signature)) ok++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok !== REPORTS) throw new Error('baseline verification failed');
  cpu.raw.push(REPORTS / (cpuSeconds() - cpuStart));
  return REPORTS / seconds;
}

function sodiumVerifyPerCpuSecond(): void {
  const publicKeys = new Map(keys.map((k) => [k.address, k.publicKey]));
  const prepared = reports.map((r) => ({ key: publicKeys.get(r.pub_key)!, message: canonicalWitnessBytes(r), signature: r.signature }));
  const cpuStart = cpuSeconds();
  let ok = 0;
  for (const p of prepared) if (crypto_sign_verify_detached(p.signature, p.message, p.key)) ok++;
  if (ok !== REPORTS) throw new Error('libsodium verification failed');
  cpu.sodium.push(REPORTS / (cpuSeconds() - cpuStart));
}

/**
 * Batches of a worker's chunk (CHUNK: the subscriber's batch split over the verification threads); with
 * `oneBadPerChunk`, the first signature of each chunk is of another message — the worst case, in which every chunk's
 * batch fails and each signature is then checked alone.
 */
function batchVerifyPerCpuSecond(oneBadPerChunk: boolean): void {
  const publicKeys = new Map(keys.map((k) => [k.address, k.publicKey]));
  const prepared = reports.map((r, i) => ({
    publicKey: publicKeys.get(r.pub_key)!,
    message: oneBadPerChunk && i % CHUNK === 0 ? new Uint8Array(1) : canonicalWitnessBytes(r),
    signature: r.signature,
  }));
  const cpuStart = cpuSeconds();
  let ok = 0;
  for (let i = 0; i < prepared.length; i += CHUNK) for (const valid of verifyEd25519Batch(prepared.slice(i, i + CHUNK))) if (valid) ok++;
  if (ok !== REPORTS - (oneBadPerChunk ? Math.ceil(REPORTS / CHUNK) : 0)) throw new Error('batch verification failed');
  (oneBadPerChunk ? cpu.batchOneBad : cpu.batch).push(REPORTS / (cpuSeconds() - cpuStart));
}

async function pipelinePerSecond(pool: IngestWorkerPool): Promise<number> {
  const cpuStart = cpuSeconds();
  const start = process.hrtime.bigint();
  let accepted = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < messages.length; i += BATCH) {
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    const verified = decodeAndVerify(messages.slice(i, i + BATCH), pool);
    inFlight.push(verified.then((r) => void (accepted += r.accepted.length)));
    // let the event loop hand finished worker results back before decoding the next batch
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (accepted !== REPORTS) throw new Error(`pipeline accepted ${accepted} of ${REPORTS}`);
  cpu.pipeline.push(REPORTS / (cpuSeconds() - cpuStart));
  return REPORTS / seconds;
}

const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
const CHUNK = Math.ceil(BATCH / threads);
const pool = new IngestWorkerPool(threads);
await pool.started();
void decodeHotspotAddress(keys[0]!.address);
await pipelinePerSecond(pool); // warm-up: JIT, worker key caches
rawVerifyPerSecond();
// Alternating rounds so both sides see the same machine load; the median round is reported.
const rounds: { raw: number; pipeline: number }[] = [];
for (let r = 0; r < Number(process.env.BENCH_ROUNDS ?? 3); r++) {
  rounds.push({ raw: rawVerifyPerSecond(), pipeline: await pipelinePerSecond(pool) });
  sodiumVerifyPerCpuSecond();
  batchVerifyPerCpuSecond(false);
  batchVerifyPerCpuSecond(true);
}
await pool.close();
rounds.sort((a, b) => a.pipeline / a.raw - b.pipeline / b.raw);
const median = rounds[Math.floor(rounds.length / 2)]!;
console.log(`verification: ${REPORTS} witness reports × ${rounds.length} rounds, ${threads} verify threads on ${availableParallelism()} cores; ratios ${rounds.map((x) => (x.pipeline / x.raw).toFixed(2)).join(', ')}`);
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perCpu = medianOf(cpu.pipeline.slice(1)) / medianOf(cpu.raw.slice(1));
console.log(
  `per CPU-second: pipeline ${medianOf(cpu.pipeline.slice(1)).toFixed(0)} reports, raw ${medianOf(cpu.raw.slice(1)).toFixed(0)} verifies ` +
    `(ratio ${perCpu.toFixed(2)}); on ${threads} otherwise idle cores that projects to ratio ≈ ${(perCpu * Math.min(threads, availableParallelism())).toFixed(2)}; ` +
    `load average now ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
);
const microseconds = (perSecond: number) => `${(1e6 / perSecond).toFixed(1)} µs`;
console.log(
  `Ed25519 alone per CPU-second: node:crypto ${medianOf(cpu.raw.slice(1)).toFixed(0)}, libsodium ${medianOf(cpu.sodium).toFixed(0)}, ` +
    `batch-native ${medianOf(cpu.batch).toFixed(0)} verifies (batches of ${CHUNK}); per verify ${microseconds(medianOf(cpu.raw.slice(1)))}, ` +
    `${microseconds(medianOf(cpu.sodium))}, ${microseconds(medianOf(cpu.batch))}; batch-native ${(medianOf(cpu.batch) / medianOf(cpu.sodium)).toFixed(2)}× libsodium, ` +
    `libsodium ${(medianOf(cpu.sodium) / medianOf(cpu.raw.slice(1))).toFixed(2)}× node:crypto; ` +
    `with one bad signature in every batch ${microseconds(medianOf(cpu.batchOneBad))} (${(medianOf(cpu.batchOneBad) / medianOf(cpu.sodium)).toFixed(2)}× libsodium)`,
);
console.log(`BENCH oracle-verification-pipeline: ${median.pipeline.toFixed(0)} reports/s | baseline ${median.raw.toFixed(0)} ed25519-verify/s | ratio ${(median.pipeline / median.raw).toFixed(2)}`);
