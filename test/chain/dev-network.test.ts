import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Keypair, LAMPORTS_PER_SOL } from '@solana/web3.js';
import { encodeHotspotAddress, generateHotspotKeypair } from '@poc/protocol';


let dev: DevNetwork;

beforeAll(async () => {
  dev = await startDevNetwork({ epochLengthSecs: 60, initialEpochEmission: 1_000_000_000_000n });
}, 900_000);

afterAll(async () => {
  await dev?.stop();
});

describe('dev network bootstrap', () => {
  it('initialises once and approves the maker', async () => {
    expect(dev.network.oracle.equals(dev.oracle.publicKey)).toBe(true);
    expect(await dev.adminClient.fetchMaker(dev.maker.publicKey)).not.toBeNull();
    // ensureNetwork is idempotent: a second call returns the same config.
    const again = await dev.adminClient.ensureNetwork({
      oracle: Keypair.generate().publicKey,
      epochLengthSecs: 1,
      initialEpochEmission: 1n,
      halvingIntervalEpochs: 1,
      onboardingFeeLamports: 0n,
      locationFeeLamports: 0n,
    });
    expect(again.oracle.equals(dev.oracle.publicKey)).toBe(true);
    expect(again.epochLengthSecs).toBe(60n);
  });

  it('onboards a bridge-style hotspot key, transfers it and mirrors the registry', async () => {
    const owner = Keypair.generate();
    const buyer = Keypair.generate();
    // Identical airdrops back to back are distinct transactions (fresh blockhash each).
    await dev.fund(owner.publicKey, 5);
    await dev.fund(owner.publicKey, 5);
    expect(await dev.adminClient.connection.getBalance(owner.publicKey)).toBe(10 * 1_000_000_000);
    const ownerClient = dev.clientFor(owner);
    const key = generateHotspotKeypair();
    const { hotspotKey } = await ownerClient.onboardHotspotWithKey({ hotspotSecretKey: key.secretKey, owner, makerAuthority: dev.maker, region: 'US915' });
    expect(Buffer.from(hotspotKey.toBytes()).equals(Buffer.from(key.publicKey))).toBe(true);
    await ownerClient.assertLocation({ hotspotKey, location: '8c2a100d2c4c1ff', gainDdbi: 30, elevationM: 5, region: 'US915', owner });
    await ownerClient.transferHotspot({ hotspotKey, newOwner: buyer.publicKey, owner });

    const registry = await dev.oracleClient.fetchRegistry();
    const mine = registry.find((r) => r.address === encodeHotspotAddress(key.publicKey));
    expect(mine).toMatchObject({
      owner: buyer.publicKey.toBase58(),
      maker: dev.maker.publicKey.toBase58(),
      locationH3: '8c2a100d2c4c1ff',
      gainDdbi: 30,
      elevationM: 5,
      region: 'US915',
    });
    expect(mine?.locationAssertedAt).toBeInstanceOf(Date);
    // The previous owner lost control.
    await expect(ownerClient.assertLocation({ hotspotKey, location: '8c2a100d2c4c1ff', gainDdbi: 30, elevationM: 5, region: 'US915', owner })).rejects.toThrow(
      /NotHotspotOwner/,
    );
  });

  // Runs last: it stops the network.
  it('stop() closes every client it made, so none keeps reconnecting to the stopped chain', async () => {
    const client = dev.clientFor(Keypair.generate());
    const watched = Keypair.generate().publicKey;
    // An open subscription keeps the client's websocket open, as a service watching an account or a transaction
    // still being confirmed at shutdown does (the local chain acknowledges account subscriptions and never fires them);
    // a signature notification on the same socket proves it is connected.
    client.connection.onAccountChange(watched, () => {}, { commitment: 'confirmed' });
    const signature = await client.connection.requestAirdrop(watched, LAMPORTS_PER_SOL);
    await new Promise<void>((resolve) => client.connection.onSignature(signature, () => resolve(), 'confirmed'));
    const errors = vi.spyOn(console, 'error');
    try {
      await dev.stop();
      // web3.js's websocket client retries every second once its node is gone, logging "ws error" each time.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(errors.mock.calls.filter((args) => String(args[0]).includes('ws error'))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});
