// The verification worker thread: decodes and verifies batches the pool sends it.
import { parentPort } from 'node:worker_threads';
import { packOutcomes, unpackMessages, type PackedMessages } from './hand-off';
import { decodeAndVerifyMessage } from './verify-batch';

if (!parentPort) throw new Error('ingest-worker runs as a worker thread');
const port = parentPort;
port.on('message', ({ id, packed }: { id: number; packed: PackedMessages }) => {
  const { outcomes, transfer } = packOutcomes(unpackMessages(packed).map(decodeAndVerifyMessage));
  port.postMessage({ id, outcomes }, transfer);
});
port.postMessage({ ready: true });
