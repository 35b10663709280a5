// The verification worker thread: decodes each batch the pool sends it, then verifies its signatures in one native call.
import { parentPort } from 'node:worker_threads';
import { loadEd25519Batch } from './ed25519';
import { packOutcomes, unpackMessages, type PackedMessages } from './hand-off';
import { decodeAndVerifyMessages } from './verify-batch';

if (!parentPort) throw new Error('ingest-worker runs as a worker thread');
loadEd25519Batch(); // before `ready`: a worker that cannot verify fails the pool's start
const port = parentPort;
port.on('message', ({ id, packed }: { id: number; packed: PackedMessages }) => {
  const { outcomes, transfer } = packOutcomes(decodeAndVerifyMessages(unpackMessages(packed)));
  port.postMessage({ id, outcomes }, transfer);
});
port.postMessage({ ready: true });
