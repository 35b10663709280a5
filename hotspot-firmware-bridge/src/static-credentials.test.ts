import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyFile } from '@poc/protocol';
import { runCli } from './cli';
import { readMqttPasswordFile, staticMqttCredentials } from './static-credentials';

const dir = mkdtempSync(join(tmpdir(), 'static-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string, mode = 0o600) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
};

describe('static MQTT credentials (--mqtt-password-file)', () => {
  it('reads the first line, trimmed, and refuses a missing, empty or group/world-readable file with the reason', () => {
    expect(readMqttPasswordFile(file('ok', '  s3cret \nignored\n'))).toBe('s3cret');
    expect(() => readMqttPasswordFile(join(dir, 'missing'))).toThrow(/cannot read MQTT password file .*missing/);
    expect(() => readMqttPasswordFile(file('empty', '\n'))).toThrow(/is empty/);
    expect(() => readMqttPasswordFile(file('shared', 'x\n', 0o644))).toThrow(/unsafe permissions 644.*chmod 600/);
  });

  it('logs in as the hotspot address, picks up a rotated password, and keeps the last good one when the file breaks', () => {
    const path = file('rotating', 'first\n');
    const credentials = staticMqttCredentials('11HotspotAddress', path, pino({ level: 'silent' }));
    expect(credentials()).toEqual({ username: '11HotspotAddress', password: 'first' });
    writeFileSync(path, 'second\n');
    expect(credentials()).toEqual({ username: '11HotspotAddress', password: 'second' });
    rmSync(path);
    expect(credentials()).toEqual({ username: '11HotspotAddress', password: 'second' });
  });

  it('poc-bridge run refuses an unusable password file before starting anything (exit code 2)', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (line: string) => err.push(line), env: {} };
    const key = join(dir, 'hotspot.key');
    createKeyFile(key);
    const oracle = join(dir, 'oracle.key');
    const oracleAddress = createKeyFile(oracle).address;
    const shared = file('run-shared', 'x\n', 0o640);
    expect(await runCli(['run', '--key', key, '--oracle-key', oracleAddress, '--mqtt-password-file', shared], io)).toBe(2);
    expect(err.at(-1)).toMatch(/^error: --mqtt-password-file: .*unsafe permissions 640/);
    expect(await runCli(['run', '--key', key, '--oracle-key', oracleAddress], { ...io, env: { POC_MQTT_PASSWORD_FILE: join(dir, 'nope') } })).toBe(2);
    expect(err.at(-1)).toMatch(/cannot read MQTT password file/);
  });
});
