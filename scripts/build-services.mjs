// Builds the deployable processes into each package's dist/: poc-oracle, poc-mapper, poc-api-key, poc-bridge.
// esbuild bundles the project's own workspaces (@poc/*, TypeScript) into one ES module per entry and leaves every
// other package external, so a deployed service runs on plain node with its package's dependencies installed.
// Also builds the oracle's Node-API module for batch Ed25519 (oracle/native/ed25519-batch, Rust, release profile) and
// copies it beside the module that loads it, in oracle/src/ingest/ and oracle/dist/.
// Run by `npm install` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
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

/**
 * `cargo build --release --locked` of the crate; the library is copied under the name oracle/src/ingest/ed25519.ts
 * loads. The target directory stays outside the clone (as in .ci/run and programs/ci.sh), so rebuilds are warm.
 */
function buildEd25519Batch() {
  const manifest = join(root, 'oracle/native/ed25519-batch/Cargo.toml');
  const env = { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/poc-network/target') };
  const cargo = spawnSync('cargo', ['build', '--release', '--locked', '--quiet', '--manifest-path', manifest, '--message-format=json-render-diagnostics'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (cargo.error) throw new Error(`cargo (needed for oracle/native/ed25519-batch) did not start: ${cargo.error.message}`);
  if (cargo.status !== 0) throw new Error(`cargo build of oracle/native/ed25519-batch failed (exit ${cargo.status})`);
  const library = cargo.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((m) => m.reason === 'compiler-artifact' && m.target?.name === 'poc_ed25519_batch')
    ?.filenames.find((f) => /\.(so|dylib|dll)$/.test(f));
  if (!library) throw new Error('cargo built oracle/native/ed25519-batch but named no library');
  for (const dir of ['oracle/src/ingest', 'oracle/dist']) {
    mkdirSync(join(root, dir), { recursive: true });
    copyFileSync(library, join(root, dir, 'ed25519-batch.node'));
  }
}

const started = Date.now();
buildEd25519Batch();
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
console.log(`built oracle/native/ed25519-batch, ${services.map((s) => `${s.dir}/dist`).join(', ')} in ${Date.now() - started} ms`);
