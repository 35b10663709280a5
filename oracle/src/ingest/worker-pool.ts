import { Worker } from 'node:worker_threads';
import { loadEd25519Batch } from './ed25519';
import { packMessages } from './hand-off';
import { decodeAndVerifyMessages, type Outcome, type RawMessage } from './verify-batch';

interface Pending {
  resolve(outcomes: Outcome[]): void;
  reject(error: Error): void;
}

/**
 * Decoding and Ed25519 verification on worker threads, one chunk per worker per batch, so both run on every core
 * while the main thread only batches messages and writes to PostgreSQL. With 0 threads everything runs inline.
 */
export class IngestWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly ready: Promise<void>[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private next = 0;

  constructor(readonly threads: number) {
    loadEd25519Batch(); // the main thread verifies small batches itself
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./ingest-worker.mjs', import.meta.url));
      this.ready.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', () => resolve());
        }),
      );
      worker.on('message', (m: { id?: number; outcomes?: Outcome[] }) => {
        if (m.id === undefined) return;
        this.pending.get(m.id)?.resolve(m.outcomes!);
        this.pending.delete(m.id);
      });
      worker.on('error', (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  /** Resolves when every worker has loaded its code. */
  async started(): Promise<void> {
    await Promise.all(this.ready);
  }

  async run(items: readonly RawMessage[]): Promise<Outcome[]> {
    if (this.workers.length === 0 || items.length < 8) return decodeAndVerifyMessages(items);
    const chunks = Math.min(this.workers.length, items.length);
    const size = Math.ceil(items.length / chunks);
    const parts = await Promise.all(Array.from({ length: chunks }, (_, c) => this.send(items.slice(c * size, (c + 1) * size))));
    return parts.flat();
  }

  private send(items: readonly RawMessage[]): Promise<Outcome[]> {
    const id = this.nextId++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    const { packed, transfer } = packMessages(items);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, packed }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
