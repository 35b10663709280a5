#!/usr/bin/env node
/**
 * Mapper device registration (`npm run mapper-device -- …`; oracle/README.md §Mappers).
 *   seal-keygen --out FILE                          operator: the oracle's key-seal secret (0600); prints its public key
 *   sign --device-id N --device-key HEX --owner-keypair FILE --seal-public HEX
 *                                                   owner: prints the signed registration JSON (the key only sealed)
 *   register --seal-file FILE [--database-url URL] [REGISTRATION_FILE]
 *                                                   operator: checks and stores a registration (stdin without a file)
 * The database comes from --database-url, DATABASE_URL, or the file `npm start` leaves for its embedded database.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliDatabaseUrl, connectDatabase } from '@poc/db';
import { keySealKeypairFromSecret, keypairFromSecret, sealDeviceKey, signMapperRegistration } from '@poc/protocol';
import { readKeypairFile } from '@poc/sdk';
import { isMain } from '@poc/service';
import { registerMapperDevice } from './devices';
import { readKeySealFile } from './key-seal-file';

const USAGE =
  'usage: mapper-device seal-keygen --out FILE | sign --device-id N --device-key HEX --owner-keypair FILE --seal-public HEX | register --seal-file FILE [--database-url URL] [REGISTRATION_FILE]';

export async function runMapperDeviceCli(
  argv: string[],
  io: { out: (line: string) => void; readInput: (file: string | undefined) => string } = { out: console.log, readInput: (file) => readFileSync(file ?? 0, 'utf8') },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' }, 'device-id': { type: 'string' }, 'device-key': { type: 'string' }, 'owner-keypair': { type: 'string' },
        'seal-public': { type: 'string' }, 'seal-file': { type: 'string' }, 'database-url': { type: 'string' },
      },
    });
  } catch (error) {
    io.out(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, file] = positionals;
  try {
    if (command === 'seal-keygen' && v.out) {
      const secret = randomBytes(32);
      writeFileSync(v.out, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      io.out(Buffer.from(keySealKeypairFromSecret(secret).publicKey).toString('hex'));
      return 0;
    }
    if (command === 'sign' && v['device-id'] && v['device-key'] && v['owner-keypair'] && v['seal-public']) {
      const deviceId = Number(v['device-id']);
      if (!Number.isInteger(deviceId) || deviceId < 0 || deviceId > 0xffff_ffff) throw new Error('--device-id must be an integer 0–4294967295');
      if (!/^[0-9a-fA-F]{32}$/.test(v['device-key'])) throw new Error('--device-key must be 32 hex digits (16 bytes)');
      if (!/^[0-9a-fA-F]{64}$/.test(v['seal-public'])) throw new Error("--seal-public must be the oracle's 64-hex-digit key-seal public key");
      const wallet = readKeypairFile(v['owner-keypair']);
      const ownerKey = keypairFromSecret(wallet.secretKey.slice(0, 32)).privateKeyObject;
      const sealedKey = sealDeviceKey(Buffer.from(v['device-key'], 'hex'), deviceId, Buffer.from(v['seal-public'], 'hex'));
      const registration = signMapperRegistration({ deviceId, owner: wallet.publicKey.toBase58(), sealedKey, issuedAt: Math.floor(Date.now() / 1000) }, ownerKey);
      io.out(JSON.stringify(registration));
      return 0;
    }
    if (command === 'register' && v['seal-file']) {
      const keySeal = readKeySealFile(v['seal-file']);
      const database = cliDatabaseUrl(v['database-url'], env);
      if ('error' in database) throw new Error(database.error.replace(/^error: /, ''));
      const sql = connectDatabase(database.url, { max: 1 });
      try {
        const outcome = await registerMapperDevice(sql, io.readInput(file), { keySeal });
        if (!outcome.ok) {
          io.out(`refused: ${outcome.reason}: ${outcome.detail}`);
          return 1;
        }
        io.out(`${outcome.replaced ? 're-keyed' : 'registered'} mapper device ${outcome.deviceId} for ${outcome.owner}`);
        return 0;
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
  } catch (error) {
    io.out(`error: ${(error as Error).message}`);
    return 1;
  }
  io.out(USAGE);
  return 2;
}

if (isMain(import.meta.url)) process.exitCode = await runMapperDeviceCli(process.argv.slice(2));
