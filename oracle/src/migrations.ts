import { fileURLToPath } from 'node:url';

/** The oracle's own SQL migrations, applied by `migrate` from @poc/db. */
export const ORACLE_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
