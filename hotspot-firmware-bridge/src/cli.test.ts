import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keypairFromSecret, loadKeyFile } from '@poc/protocol';
import { buildBridgeApi } from './api';
import { runCli } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('poc-bridge CLI', () => {
  it('CLI keygen prints the address and exits non-zero on a second run', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
    const path = join(dir, 'cli.key');
    expect(await runCli(['keygen', '--key', path], io)).toBe(0);
    expect(out.join('\n')).toContain(`hotspot address: ${loadKeyFile(path).address}`);
    expect(await runCli(['keygen', '--key', path], io)).toBe(1);
    expect(err.at(-1)).toMatch(/refusing to overwrite/);
    expect(await runCli(['run', '--key', path], io)).toBe(2);
    expect(err.at(-1)).toMatch(/--oracle-key .* is required/);
    expect(await runCli(['run', '--key', path, '--region', 'XX999', '--oracle-key', 'x'], io)).toBe(2);
    expect(err.at(-1)).toMatch(/--region must be one of EU868, US915, AU915, AS923_1/);
  });

  it("pair prints the bridge's one-time code, and says so when no bridge answers", async () => {
    const keypair = keypairFromSecret(new Uint8Array(32).fill(5));
    const api = buildBridgeApi({ keypair, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never });
    const port = new URL(await api.listen({ host: '127.0.0.1', port: 0 })).port;
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
    expect(await runCli(['pair', '--api-port', port], io)).toBe(0);
    expect(out[0]).toMatch(/^pairing code: [A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(out[1]).toContain(`hotspot ${keypair.address}; valid once`);
    await api.close();
    expect(await runCli(['pair', '--api-port', port], io)).toBe(1);
    expect(err.at(-1)).toMatch(/no bridge API answering on 127\.0\.0\.1:/);
  });
});
