import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeSettings, loadSettings, port, SettingsError } from './settings';

const dir = mkdtempSync(join(tmpdir(), 'settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = z.object({
  DATABASE_URL: z.url().describe('where the data lives'),
  PORT: port.default(8080).describe('listen port'),
  NAME: z.string().optional().describe('a label'),
});

describe('service settings', () => {
  it('takes the environment over a settings file and applies defaults', () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, JSON.stringify({ DATABASE_URL: 'postgres://file/db', PORT: 9000 }));
    const fromFile = loadSettings(schema, { env: {}, argv: ['--config', file] });
    expect(fromFile).toEqual({ DATABASE_URL: 'postgres://file/db', PORT: 9000 });
    const overridden = loadSettings(schema, { env: { PORT: '7000', SETTINGS: file }, argv: [], fileVariable: 'SETTINGS' });
    expect(overridden).toEqual({ DATABASE_URL: 'postgres://file/db', PORT: 7000 });
    expect(loadSettings(schema, { env: { DATABASE_URL: 'postgres://env/db' }, argv: [] }).PORT).toBe(8080);
  });

  it('names every invalid, missing or unknown setting', () => {
    expect(() => loadSettings(schema, { env: { PORT: '70000' }, argv: [] })).toThrow(/DATABASE_URL[\s\S]*PORT/);
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ DATABASE_URL: 'postgres://x/y', PROT: 1 }));
    expect(() => loadSettings(schema, { env: {}, argv: ['--config', file] })).toThrow(new SettingsError(`settings file ${file} has unknown settings: PROT`));
    expect(() => loadSettings(schema, { env: {}, argv: ['--config', join(dir, 'missing.json')] })).toThrow(/cannot read settings file/);
  });

  it('documents each setting with its default or whether it is required', () => {
    const text = describeSettings(schema);
    expect(text).toContain('DATABASE_URL (required)\n      where the data lives');
    expect(text).toContain('PORT (default 8080)\n      listen port');
    expect(text).toContain('NAME (optional)\n      a label');
  });
});
