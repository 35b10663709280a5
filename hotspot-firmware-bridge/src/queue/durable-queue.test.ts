import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableQueue } from './durable-queue';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const payloads = (queue: DurableQueue) => [...queue.pending()].map((e) => e.payload.toString());

describe('durable report queue', () => {
  it('keeps un-acked reports across a reopen, in order, and forgets acked ones', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger });
    const a = await queue.append('beacon', 't/beacon', Buffer.from('a'));
    await queue.append('witness', 't/witness', Buffer.from('b'));
    await queue.append('witness', 't/witness', Buffer.from('c'));
    queue.ack(a.seq);
    queue.ack(a.seq);
    queue.close();
    const reopened = DurableQueue.open({ dir, logger });
    expect(payloads(reopened)).toEqual(['b', 'c']);
    expect([...reopened.pending()].map((e) => [e.kind, e.topic])).toEqual([['witness', 't/witness'], ['witness', 't/witness']]);
    const d = await reopened.append('beacon', 't/beacon', Buffer.from('d'));
    expect(d.seq).toBe(4);
    reopened.close();
  });

  it('has the record on disk when append resolves (no close needed)', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger });
    await queue.append('witness', 't', Buffer.from('durable-now'));
    expect(readFileSync(join(dir, 'reports.journal')).includes(Buffer.from('durable-now'))).toBe(true);
    // Simulates a crash: no close(); a second process opens the same directory.
    expect(payloads(DurableQueue.open({ dir, logger }))).toEqual(['durable-now']);
    queue.close();
  });

  it('os-buffered durability still writes before append resolves (kill-safe)', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger, durability: 'os-buffered', keepFileOpen: false });
    await queue.append('witness', 't', Buffer.from('buffered'));
    expect(payloads(DurableQueue.open({ dir, logger }))).toEqual(['buffered']);
    queue.close();
  });

  it('cuts off a torn tail record and keeps everything before it', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger });
    await queue.append('witness', 't', Buffer.from('one'));
    await queue.append('witness', 't', Buffer.from('two'));
    queue.close();
    const path = join(dir, 'reports.journal');
    const intact = statSync(path).size;
    appendFileSync(path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0]));
    const reopened = DurableQueue.open({ dir, logger });
    expect(payloads(reopened)).toEqual(['one', 'two']);
    expect(reopened.stats().recoveredTornBytes).toBe(11);
    expect(statSync(path).size).toBe(intact);
    await reopened.append('beacon', 't', Buffer.from('three'));
    reopened.close();
    expect(payloads(DurableQueue.open({ dir, logger }))).toEqual(['one', 'two', 'three']);
  });

  it('when full drops the oldest witness first, beacons only when no witness is left', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger, maxEntries: 3 });
    await queue.append('beacon', 't', Buffer.from('B1'));
    await queue.append('witness', 't', Buffer.from('W1'));
    await queue.append('witness', 't', Buffer.from('W2'));
    await queue.append('beacon', 't', Buffer.from('B2'));
    expect(payloads(queue)).toEqual(['B1', 'W2', 'B2']);
    await queue.append('beacon', 't', Buffer.from('B3'));
    expect(payloads(queue)).toEqual(['B1', 'B2', 'B3']);
    await queue.append('witness', 't', Buffer.from('W3'));
    expect(payloads(queue)).toEqual(['B2', 'B3', 'W3']);
    expect(queue.stats().dropped).toEqual({ witness: 2, beacon: 1, mapper: 0 });
    queue.close();
    expect(payloads(DurableQueue.open({ dir, logger }))).toEqual(['B2', 'B3', 'W3']);
  });

  it('bounds bytes too', async () => {
    const queue = DurableQueue.open({ dir: tempDir(), logger, maxBytes: 3 * (100 + 1 + 32) });
    for (let i = 0; i < 10; i++) await queue.append('witness', 't', Buffer.alloc(100, i));
    expect(queue.depth).toBe(3);
    expect(queue.stats().dropped.witness).toBe(7);
    queue.close();
  });

  it('compacts a journal that is mostly acknowledged records', async () => {
    const dir = tempDir();
    const queue = DurableQueue.open({ dir, logger, compactMinBytes: 10_000 });
    for (let i = 0; i < 200; i++) {
      const entry = await queue.append('witness', 't', Buffer.alloc(200, i));
      if (i < 195) queue.ack(entry.seq);
    }
    queue.flushNow();
    expect(queue.stats().compactions).toBeGreaterThan(0);
    expect(statSync(join(dir, 'reports.journal')).size).toBeLessThan(10_000);
    queue.close();
    const reopened = DurableQueue.open({ dir, logger });
    expect([...reopened.pending()].map((e) => e.payload[0])).toEqual([195, 196, 197, 198, 199]);
    expect((await reopened.append('beacon', 't', Buffer.from('x'))).seq).toBeGreaterThan(200);
    reopened.close();
  });
});
