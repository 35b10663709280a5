#!/usr/bin/env node
// Generates the poc-network IDL the way `anchor idl build` (anchor-cli 0.31.1) does, on stable
// Rust and without the Anchor CLI: runs the program's `__anchor_private_print_idl` test with the
// `idl-build` feature, assembles the printed blocks into the IDL JSON, and derives the camelCase
// TypeScript type that `anchor build` writes to target/types.
//
//   node programs/scripts/idl.mjs            write packages/sdk/src/idl/poc_network.{json,ts}
//   node programs/scripts/idl.mjs --check    regenerate and fail if the committed files differ
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const programsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const programDir = join(programsDir, 'programs', 'poc-network');
const outDir = resolve(programsDir, '..', 'packages', 'sdk', 'src', 'idl');
const check = process.argv.includes('--check');

const env = { ...process.env };
env.CARGO_TARGET_DIR ??= join(homedir(), '.cache', 'poc-network', 'target');
env.ANCHOR_IDL_BUILD_PROGRAM_PATH = programDir;
env.ANCHOR_IDL_BUILD_RESOLUTION = 'TRUE';
env.ANCHOR_IDL_BUILD_SKIP_LINT = 'FALSE';
env.ANCHOR_IDL_BUILD_NO_DOCS = 'FALSE';
env.RUST_LOG = 'error';

const run = spawnSync(
  'cargo',
  ['test', '-p', 'poc-network', '--lib', '--features', 'idl-build', '__anchor_private_print_idl', '--', '--show-output', '--quiet'],
  { cwd: programDir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
);
if (run.status !== 0) {
  process.stderr.write(run.stdout ?? '');
  console.error('idl: building the IDL failed');
  process.exit(1);
}

// Same state machine as anchor-lang-idl's build.rs.
let state = 'pass';
let lines = [];
let address = '';
const constants = [];
const events = [];
const extraTypes = new Map();
let errors = null;
let program = null;
for (const line of run.stdout.split('\n')) {
  if (state === 'pass') {
    if (line === '--- IDL begin address ---') state = 'address';
    else if (line === '--- IDL begin const ---') (state = 'const'), (lines = []);
    else if (line === '--- IDL begin event ---') (state = 'event'), (lines = []);
    else if (line === '--- IDL begin errors ---') (state = 'errors'), (lines = []);
    else if (line === '--- IDL begin program ---') (state = 'program'), (lines = []);
    continue;
  }
  if (state === 'address') {
    address = line.replace(/[^A-Za-z0-9]/g, '');
    state = 'pass';
    continue;
  }
  const end = `--- IDL end ${state} ---`;
  if (line !== end) {
    lines.push(line);
    continue;
  }
  const value = JSON.parse(lines.join('\n'));
  if (state === 'const') constants.push(value);
  if (state === 'event') {
    events.push(value.event);
    for (const t of value.types) extraTypes.set(t.name, t);
  }
  if (state === 'errors') errors = value;
  if (state === 'program') program = value;
  state = 'pass';
}
if (!program) {
  console.error('idl: no IDL found in the test output');
  process.exit(1);
}

const byName = new Map(extraTypes);
for (const t of program.types ?? []) byName.set(t.name, t);
const types = [...byName.keys()].sort().map((k) => byName.get(k));
const idl = { address, metadata: program.metadata };
if (program.docs?.length) idl.docs = program.docs;
idl.instructions = program.instructions;
if (program.accounts?.length) idl.accounts = program.accounts;
if (events.length) idl.events = events;
if (errors?.length) idl.errors = errors;
if (types.length) idl.types = types;
if (constants.length) idl.constants = constants;

// anchor-lang-idl's convert_module_paths: "a::b::Name" becomes "Name" unless that would clash.
let text = JSON.stringify(idl);
for (const m of [...text.matchAll(/"(\w+::)+(\w+)"/g)]) {
  const [path, , name] = m;
  const replaced = text.split(path).join(`"${name}"`);
  if (!new RegExp(`"(\\w+::)+${name}"`).test(replaced)) text = replaced;
}
const converted = JSON.parse(text);
// anchor-lang-idl's sort: accounts, constants, events, instructions and types by name.
const byKey = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
for (const key of ['accounts', 'constants', 'events', 'instructions', 'types']) converted[key]?.sort(byKey);
for (const key of ['accounts', 'events', 'instructions']) {
  for (const item of converted[key] ?? []) {
    if (!item.discriminator?.length) {
      console.error(`idl: empty discriminator for ${key} ${item.name}`);
      process.exit(1);
    }
  }
}
Object.keys(idl).forEach((k) => delete idl[k]);
Object.assign(idl, converted);
const json = JSON.stringify(idl, null, 2) + '\n';

// anchor-cli's idl_ts: every "key":"word" string value is camelCased, except public keys.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function isPubkey(s) {
  if (![...s].every((c) => B58.includes(c))) return false;
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(B58.indexOf(c));
  let bytes = 0;
  while (n > 0n) (n >>= 8n), bytes++;
  for (const c of s) {
    if (c !== '1') break;
    bytes++;
  }
  return bytes === 32;
}
function lowerCamel(s) {
  const words = s
    .split(/_+/)
    .flatMap((w) => w.split(/(?<=[a-z0-9])(?=[A-Z])/))
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
}
let compact = JSON.stringify(idl);
const names = [...compact.matchAll(/"\w+":"([\w\d]+)"/g)].map((m) => m[1]);
for (const name of names) {
  if (isPubkey(name)) continue;
  compact = compact.split(`"${name}"`).join(`"${lowerCamel(name)}"`);
}
const typeName = lowerCamel(idl.metadata.name).replace(/^./, (c) => c.toUpperCase());
const ts = `/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at \`target/idl/${idl.metadata.name}.json\`.
 */
export type ${typeName} = ${JSON.stringify(JSON.parse(compact), null, 2)};
`;

const outputs = { [`${idl.metadata.name}.json`]: json, [`${idl.metadata.name}.ts`]: ts };
if (check) {
  let ok = true;
  for (const [file, content] of Object.entries(outputs)) {
    const path = join(outDir, file);
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (committed !== content) {
      ok = false;
      console.error(`idl: ${path} is out of date; run: node programs/scripts/idl.mjs`);
      writeFileSync(`/tmp/${file}.generated`, content);
      const diff = spawnSync('diff', ['-u', path, `/tmp/${file}.generated`], { encoding: 'utf8' });
      process.stderr.write(diff.stdout.split('\n').slice(0, 60).join('\n') + '\n');
    }
  }
  if (!ok) process.exit(1);
  console.log('idl: committed IDL matches the program');
} else {
  mkdirSync(outDir, { recursive: true });
  for (const [file, content] of Object.entries(outputs)) writeFileSync(join(outDir, file), content);
  console.log(`idl: wrote ${Object.keys(outputs).join(', ')} to ${outDir}`);
}
