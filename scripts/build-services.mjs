// Builds the deployable processes into each package's dist/: poc-oracle, poc-mapper, poc-api-key, poc-bridge.
// esbuild bundles the project's own workspaces (@poc/*, TypeScript) into one ES module per entry and leaves every
// other package external, so a deployed service runs on plain node with its package's dependencies installed.
// Run by `npm install` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bare imports outside the monorepo stay imports; @poc/* and relative imports are bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@poc/') ? undefined : { path: args.path, external: true }));
  },
};

const services = [
  { dir: 'oracle', entries: { main: 'src/main.ts', 'ingest-worker': 'src/ingest/ingest-worker.ts' } },
  { dir: 'mapper', entries: { main: 'src/main.ts', 'api-keys': 'src/cli/api-keys.ts' } },
  { dir: 'hotspot-firmware-bridge', entries: { cli: 'src/cli.ts' } },
];

const started = Date.now();
await Promise.all(
  services.map(({ dir, entries }) =>
    build({
      absWorkingDir: join(root, dir),
      entryPoints: entries,
      outdir: 'dist',
      // The worker pool starts `./ingest-worker.mjs` beside the module that creates it, in src/ as in dist/.
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: true,
      plugins: [externalDependencies],
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${services.map((s) => `${s.dir}/dist`).join(', ')} in ${Date.now() - started} ms`);
