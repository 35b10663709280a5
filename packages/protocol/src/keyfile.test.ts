import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyFile, loadKeyFile } from './keyfile';

const dir = mkdtempSync(join(tmpdir(), 'keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hotspot key file', () => {
  it('is created 0600, never overwritten, and loads back to the same address', () => {
    const path = join(dir, 'a.key');
    const created = createKeyFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => createKeyFile(path)).toThrow(/refusing to overwrite/);
    expect(loadKeyFile(path).address).toBe(created.address);
  });

  it('refuses files readable by group or others, missing files and garbage, with clear messages', () => {
    const path = join(dir, 'b.key');
    createKeyFile(path);
    chmodSync(path, 0o640);
    expect(() => loadKeyFile(path)).toThrow('unsafe permissions 640: group/others must have no access (run: chmod 600');
    expect(() => loadKeyFile(join(dir, 'none.key'))).toThrow(/does not exist \(create one with: poc-bridge keygen/);
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, '{"key_type":"ed25519","secret_key":"zz"}', { mode: 0o600 });
    expect(() => loadKeyFile(junk)).toThrow(/does not hold an ed25519 secret_key/);
  });
});
