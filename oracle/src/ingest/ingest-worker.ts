// The verification worker thread: decodes and verifies batches the pool sends it.
import { parentPort } from 'node:worker_threads';
import { decodeAndVerifyMessage } from './verify-batch';

if (!parentPort) throw new Error('ingest-worker runs as a worker thread');
const port = parentPort;
port.on('message', ({ id, items }: { id: number; items: Parameters<typeof decodeAndVerifyMessage>[0][] }) => {
  port.postMessage({ id, outcomes: items.map(decodeAndVerifyMessage) });
});
port.postMessage({ ready: true });
