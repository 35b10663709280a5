// Worker entry when the oracle runs from its TypeScript sources (tests, tsx): registers tsx, then loads the worker.
// The built oracle (dist/) has its own bundled ingest-worker.mjs beside main.js and needs no loader.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
