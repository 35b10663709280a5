/**
 * Runs every `<workspace>/bench/*.bench.ts` in its own process, one after another (they measure the
 * machine, so they must not overlap), and prints the BENCH lines they report as one summary.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const WORKSPACES = ['hotspot-firmware-bridge', 'oracle', 'mapper'];
const only = process.argv.slice(2);

async function benchFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const ws of WORKSPACES) {
    const dir = `${ws}/bench`;
    if (!existsSync(dir)) continue;
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.bench.ts')) files.push(`${dir}/${f}`);
  }
  return files.filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
}

function run(file: string): Promise<{ lines: string[]; code: number }> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8');
    let pending = '';
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith('BENCH ')) lines.push(line);
    });
    child.on('exit', (code) => resolve({ lines, code: code ?? 1 }));
  });
}

const summary: string[] = [];
let failed = 0;
for (const file of await benchFiles()) {
  console.log(`\n=== ${file}`);
  const { lines, code } = await run(file);
  if (code !== 0) {
    failed++;
    summary.push(`FAILED ${file} (exit ${code})`);
  }
  summary.push(...lines);
}
console.log('\n=== summary');
for (const line of summary) console.log(line);
process.exit(failed ? 1 : 0);
