import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { Keypair } from '@solana/web3.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMapperDeviceCli } from '../src/mappers/cli';

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'mapper-device-cli-'));
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], input = '') {
  const lines: string[] = [];
  const code = await runMapperDeviceCli(argv, { out: (l) => lines.push(l), readInput: () => input }, { DATABASE_URL: db.url });
  return { code, out: lines.join('\n') };
}

describe('mapper-device CLI', () => {
  it('operator key-seal key, owner-signed registration, operator registration; the device key never appears in clear', async () => {
    const sealFile = join(dir, 'seal.key');
    const keygen = await run(['seal-keygen', '--out', sealFile]);
    expect(keygen.code).toBe(0);
    expect(keygen.out).toMatch(/^[0-9a-f]{64}$/);
    expect((await run(['seal-keygen', '--out', sealFile])).code).toBe(1); // never overwrites

    const wallet = Keypair.generate();
    const walletFile = join(dir, 'owner.json');
    writeFileSync(walletFile, JSON.stringify([...wallet.secretKey]), { mode: 0o600 });
    const deviceKey = '00112233445566778899aabbccddeeff';
    const signed = await run(['sign', '--device-id', '4242', '--device-key', deviceKey, '--owner-keypair', walletFile, '--seal-public', keygen.out]);
    expect(signed.code).toBe(0);
    expect(signed.out).not.toContain(deviceKey);
    expect(JSON.parse(signed.out)).toMatchObject({ device_id: 4242, owner: wallet.publicKey.toBase58() });

    expect(await run(['register', '--seal-file', sealFile], signed.out)).toEqual({ code: 0, out: `registered mapper device 4242 for ${wallet.publicKey.toBase58()}` });
    expect(await run(['register', '--seal-file', sealFile], signed.out)).toMatchObject({ code: 1, out: expect.stringMatching(/^refused: replayed/) });
    const [row] = await db.sql<{ owner: string; sealed_key: Buffer }[]>`SELECT owner, sealed_key FROM mapper_devices WHERE device_id = 4242`;
    expect(row!.owner).toBe(wallet.publicKey.toBase58());
    expect(row!.sealed_key.includes(Buffer.from(deviceKey, 'hex'))).toBe(false);

    chmodSync(sealFile, 0o644);
    expect(await run(['register', '--seal-file', sealFile], signed.out)).toMatchObject({ code: 1, out: expect.stringContaining('chmod 600') });
    expect((await run(['sign', '--device-id', '99999999999', '--device-key', deviceKey, '--owner-keypair', walletFile, '--seal-public', keygen.out])).code).toBe(1);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
