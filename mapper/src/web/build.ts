import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from '@poc/service';
import { BUILD_DIR } from '../paths';

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

const MAPLIBRE_WORKER = 'maplibre-gl-worker.mjs';
const ENTRIES = { map: join(WEB_DIR, 'map/main.ts'), onboard: join(WEB_DIR, 'onboard/main.ts') };

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsStale(): boolean {
  const outputs = [...Object.keys(ENTRIES).map((name) => join(BUILD_DIR, `${name}.js`)), join(BUILD_DIR, MAPLIBRE_WORKER)];
  if (outputs.some((o) => !existsSync(o))) return true;
  const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return newestMtime(WEB_DIR) > built;
}

/**
 * Bundles the browser code into public/build/ when it is missing or older than its sources. Run by `npm install`
 * (the root's prepare script), `npm start` and the test setup — never by the server.
 */
export async function ensureWebBundle(log: (msg: string) => void = () => {}): Promise<void> {
  if (!bundleIsStale()) return;
  const started = Date.now();
  // Build aside and rename into place, so a server started in parallel never serves a half-written file.
  const tmp = `${BUILD_DIR}.tmp-${process.pid}-${started}`;
  await build({
    entryPoints: ENTRIES,
    outdir: tmp,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    loader: { '.json': 'json' },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  // MapLibre 6 starts its worker from a module file next to the bundle (new URL('./maplibre-gl-worker.mjs', import.meta.url)).
  copyFileSync(createRequire(import.meta.url).resolve(`maplibre-gl/dist/${MAPLIBRE_WORKER}`), join(tmp, MAPLIBRE_WORKER));
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const file of readdirSync(tmp)) renameSync(join(tmp, file), join(BUILD_DIR, file));
  rmSync(tmp, { recursive: true, force: true });
  log(`bundled web app in ${Date.now() - started} ms`);
}

if (isMain(import.meta.url)) {
  await ensureWebBundle((msg) => console.log(msg));
}
