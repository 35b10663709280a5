import { fileURLToPath } from 'node:url';

/** The mapper's own SQL migrations, applied by `migrate` from @poc/db. */
export const MAPPER_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
