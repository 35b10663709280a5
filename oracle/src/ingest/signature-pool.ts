import { verifyBytes } from '@poc/hotspot-firmware-bridge/wire';
import { Worker } from 'node:worker_threads';

export interface SignatureJob {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

interface Pending {
  resolve(results: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * Ed25519 verification spread over worker threads, one chunk per worker per batch, so signature checking uses
 * every core while the main thread decodes and writes to PostgreSQL. With 0 threads it verifies inline.
 */
export class SignatureVerifierPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private next = 0;

  constructor(readonly threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./signature-worker.mjs', import.meta.url));
      worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
        this.pending.get(id)?.resolve(results);
        this.pending.delete(id);
      });
      worker.on('error', (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  async verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    if (this.workers.length === 0 || jobs.length < 4) return jobs.map((j) => verifyBytes(j.publicKey, j.message, j.signature));
    const chunks = Math.min(this.workers.length, jobs.length);
    const size = Math.ceil(jobs.length / chunks);
    const parts = await Promise.all(Array.from({ length: chunks }, (_, c) => this.run(jobs.slice(c * size, (c + 1) * size))));
    return parts.flatMap((r) => Array.from(r, (v) => v === 1));
  }

  private run(jobs: readonly SignatureJob[]): Promise<Uint8Array> {
    let total = 0;
    for (const j of jobs) total += 100 + j.message.length;
    const buffer = new ArrayBuffer(total);
    const bytes = new Uint8Array(buffer);
    const view = new DataView(buffer);
    let offset = 0;
    for (const j of jobs) {
      // Malformed lengths become an all-zero key/signature, which fails verification as it should.
      if (j.publicKey.length === 32) bytes.set(j.publicKey, offset);
      if (j.signature.length === 64) bytes.set(j.signature, offset + 32);
      view.setUint32(offset + 96, j.message.length, true);
      bytes.set(j.message, offset + 100);
      offset += 100 + j.message.length;
    }
    const id = this.nextId++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, buffer, count: jobs.length }, [buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
