/**
 * `npm start`'s maker: one key that the chain approves as maker and that co-signs onboardings in the map server, and
 * its factory, which lists every device it provisions (the simulated fleet, your hotspot) in the maker's device list —
 * the onboarding server co-signs nothing else.
 */
import { Keypair } from '@solana/web3.js';
import { existsSync, writeFileSync } from 'node:fs';
import { readKeypairFile } from '@poc/sdk';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { registerMakerDevices } from '@poc/mapper';

/** The maker's authority key, kept like solana-keygen's files (a JSON byte array, mode 0600). */
export function loadOrCreateMakerKeypair(path: string): Keypair {
  if (existsSync(path)) return readKeypairFile(path);
  const maker = Keypair.generate();
  writeFileSync(path, JSON.stringify([...maker.secretKey]), { mode: 0o600, flag: 'wx' });
  return maker;
}

/** The factory step: the devices of a batch enter the maker's device list. */
export async function provisionDevices(sql: Sql, maker: Keypair, batch: string, addresses: string[], log: Logger): Promise<void> {
  const { registered, alreadyListed } = await registerMakerDevices(sql, { maker: maker.publicKey.toBase58(), batch, hotspots: addresses });
  log.info({ batch, registered, alreadyListed, maker: maker.publicKey.toBase58() }, 'devices listed as manufactured by the maker');
}
