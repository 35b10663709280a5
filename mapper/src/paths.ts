import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// One folder below the package root, in src/ as in dist/, so these hold for the sources and the bundle alike.
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
export const BUILD_DIR = join(PUBLIC_DIR, 'build');

/** The bundle the server serves, or a clear error when it was never built (the server does not build it). */
export function assertWebBundleBuilt(): void {
  if (!existsSync(join(BUILD_DIR, 'map.js'))) throw new Error(`the web app is not built (${BUILD_DIR} is missing): run \`npm run build:web -w @poc/mapper\` (npm install runs it)`);
}
