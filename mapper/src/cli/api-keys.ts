#!/usr/bin/env node
/**
 * Manage carriers' API keys (`npm run api-key -- …` in a checkout, `poc-api-key …` when installed).
 *   create --name "Carrier X" [--rate-limit 600]
 *   list
 *   revoke <id>
 * The database comes from --database-url, DATABASE_URL, or the file `npm start` leaves for its embedded database.
 */
import { isMain } from '@poc/service';
import { parseArgs } from 'node:util';
import { connectDatabase } from '@poc/db';
import { migrate } from '@poc/db';
import { MAPPER_MIGRATIONS_DIR } from '../migrations';
import { createApiKey, listApiKeys, revokeApiKey } from '../api-keys';
import { cliDatabaseUrl } from '@poc/db';

const USAGE = 'usage: api-keys create --name <name> [--rate-limit <per minute>] | list | revoke <id>   [--database-url URL]';

export async function runApiKeysCli(argv: string[], out: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, 'rate-limit': { type: 'string' }, 'database-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    out(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const [command, arg] = positionals;
  const database = cliDatabaseUrl(values['database-url'], env);
  if ('error' in database) {
    out(database.error);
    return 2;
  }
  const sql = connectDatabase(database.url, { max: 1 });
  try {
    await migrate(sql, [MAPPER_MIGRATIONS_DIR]);
    if (command === 'create') {
      if (!values.name) {
        out('error: create needs --name "<who the key is for>"');
        return 2;
      }
      const rate = values['rate-limit'] === undefined ? 600 : Number(values['rate-limit']);
      const key = await createApiKey(sql, values.name, rate);
      out(`created API key ${key.id} for "${key.name}" (${key.rateLimitPerMinute} requests/min)`);
      out(`key: ${key.key}`);
      out('store it now: only its hash is kept, it cannot be shown again');
      return 0;
    }
    if (command === 'list') {
      for (const k of await listApiKeys(sql)) {
        out(`${k.id}\t${k.name}\t${k.rate_limit_per_minute}/min\tcreated ${k.created_at.toISOString()}\t${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active'}\tlast used ${k.last_used_at?.toISOString() ?? 'never'}`);
      }
      return 0;
    }
    if (command === 'revoke') {
      if (!arg) {
        out('error: revoke needs the key id (the 12 hex characters after poc_)');
        return 2;
      }
      const done = await revokeApiKey(sql, arg);
      out(done ? `revoked API key ${arg}` : `error: no active API key with id ${arg}`);
      return done ? 0 : 1;
    }
    out(USAGE);
    return 2;
  } catch (error) {
    out(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runApiKeysCli(process.argv.slice(2));
}
