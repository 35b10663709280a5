// Worker entry in plain JS: registers tsx so the TypeScript decoder (and the wire module) load under node, tsx and vitest.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { decodeAndVerifyMessage } = await import('./verify-batch');
parentPort.on('message', ({ id, items }) => {
  parentPort.postMessage({ id, outcomes: items.map(decodeAndVerifyMessage) });
});
parentPort.postMessage({ ready: true });
