#!/usr/bin/env node
/**
 * The maker's list of manufactured hotspots, which its onboarding server co-signs
 * (`npx tsx mapper/src/cli/maker-devices.ts …`).
 *   register --maker <authority> --batch <name> [FILE]   hotspot addresses, one a line (FILE, or stdin without it)
 *   list [--maker <authority>] [--batch <name>]
 *   revoke --maker <authority> (--batch <name> | <address>…) --reason "<why>"
 * The database comes from --database-url, DATABASE_URL, or the file `npm start` leaves for its embedded database.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectDatabase, migrate } from '@poc/db';
import { isMain } from '@poc/service';
import { MAPPER_MIGRATIONS_DIR } from '../migrations';
import { listMakerDevices, MakerDeviceError, registerMakerDevices, revokeMakerDevices } from '../onboarding/maker-devices';
import { cliDatabaseUrl } from '@poc/db';

const USAGE = 'usage: maker-devices register --maker <authority> --batch <name> [FILE] | list [--maker <authority>] [--batch <name>] | revoke --maker <authority> (--batch <name> | <address>…) --reason "<why>"';

export async function runMakerDevicesCli(
  argv: string[],
  io: { out: (line: string) => void; readInput: (file: string | undefined) => string } = { out: console.log, readInput: (file) => readFileSync(file ?? 0, 'utf8') },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { maker: { type: 'string' }, batch: { type: 'string' }, reason: { type: 'string' }, 'database-url': { type: 'string' } },
    });
  } catch (error) {
    io.out(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (command !== 'register' && command !== 'list' && command !== 'revoke') {
    io.out(USAGE);
    return 2;
  }
  if (command !== 'list' && !values.maker) {
    io.out(`error: ${command} needs --maker <the maker's authority address>`);
    return 2;
  }
  const database = cliDatabaseUrl(values['database-url'], env);
  if ('error' in database) {
    io.out(database.error);
    return 2;
  }
  const sql = connectDatabase(database.url, { max: 1 });
  try {
    await migrate(sql, [MAPPER_MIGRATIONS_DIR]);
    if (command === 'register') {
      if (!values.batch) {
        io.out('error: register needs --batch <production batch>');
        return 2;
      }
      const hotspots = io.readInput(args[0]).split(/\s+/).filter(Boolean);
      const { registered, alreadyListed } = await registerMakerDevices(sql, { maker: values.maker!, batch: values.batch, hotspots });
      io.out(`registered ${registered} hotspots in batch ${values.batch}${alreadyListed ? `; ${alreadyListed} were already listed and left as they are` : ''}`);
      return 0;
    }
    if (command === 'list') {
      for (const d of await listMakerDevices(sql, { maker: values.maker, batch: values.batch })) {
        io.out(`${d.hotspot}\t${d.batch}\t${d.status}\t${d.owner ?? ''}\t${d.revoked_reason ?? ''}`);
      }
      return 0;
    }
    if (!values.reason || (!values.batch && args.length === 0)) {
      io.out('error: revoke needs --reason and either --batch or the hotspot addresses');
      return 2;
    }
    const revoked = await revokeMakerDevices(sql, { maker: values.maker!, batch: values.batch, hotspots: args.length ? args : undefined, reason: values.reason });
    io.out(`revoked ${revoked} hotspots`);
    return 0;
  } catch (error) {
    if (error instanceof MakerDeviceError) {
      io.out(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runMakerDevicesCli(process.argv.slice(2));
}
