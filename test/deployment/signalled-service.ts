/**
 * A service started the way `npm start` starts the network (under the tsx CLI, embedded PostgreSQL first, a part
 * that takes a while to stop last), for ordered-shutdown.test.ts. Logs JSON lines: `ready` once up, then the
 * task runner's `stopped` line per part.
 */
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { TaskRunner, createLogger } from '@poc/service';
import { setTimeout as sleep } from 'node:timers/promises';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: signalled-service.ts <data dir>');
const log = createLogger({ level: 'info' });
const tasks = new TaskRunner(log);
tasks.stopOnSignals();
await tasks.start('PostgreSQL', () => startEmbeddedPostgres({ dataDir, persistent: false, fresh: true }));
// Longer than tsx's two 30 ms waits for the child to report a signal it handles before the parent SIGKILLs it.
await tasks.start('slow part', async () => ({ stop: () => sleep(1_000) }));
log.info('ready');
