import { generateHotspotKeypair } from '@poc/protocol';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { advanceSubmission, computeEpoch, type ChainWriter } from '@poc/oracle';
import { rewardShares } from '@poc/oracle';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startDevNetwork, type DevNetwork } from '@poc/devnet/chain';

/**
 * The chain writer dies after the rewards-root transaction is sent and before the oracle records it — on the real
 * program in poc-localchain. Recovery must find the root on chain, never send a second one, and the chain must
 * hold exactly one epoch paying exactly the computed total.
 */
const EPOCH_S = 60;
const EMISSION = 1_000_000_000_000n;
let dev: DevNetwork;
let db: TestDatabase;

beforeAll(async () => {
  [dev, db] = await Promise.all([startDevNetwork({ epochLengthSecs: EPOCH_S, initialEpochEmission: EMISSION }), createTestDatabase()]);
}, 900_000);
afterAll(async () => {
  await dev?.stop();
  await db?.drop();
});

describe('chain writer crash between submission and confirmation (real program, local chain)', () => {
  it('confirms the epoch from the chain without resubmitting, and the chain pays once', async () => {
    const epoch = dev.network.genesisEpoch; // chain epoch 0
    const endMs = Number(epoch + 1n) * EPOCH_S * 1000;
    await insertScoredPocs(db.sql, Number(epoch) * EPOCH_S * 1000 + 1000);
    // The chain accepts an epoch's root only once the epoch is over.
    while (Date.now() < endMs + 1500) await new Promise((r) => setTimeout(r, Math.min(1000, endMs + 1500 - Date.now())));
    expect(await computeEpoch(db.sql, epoch, { epochSeconds: EPOCH_S, emissionPerEpoch: EMISSION })).toBe('computed');

    let sentBeforeCrash = 0;
    const crashing: ChainWriter = {
      getEpochRoot: (e) => dev.oracleClient.getEpochRoot(e),
      transactionState: (s) => dev.oracleClient.transactionState(s),
      async submitRewardsRoot(submission) {
        await dev.oracleClient.submitRewardsRoot(submission);
        sentBeforeCrash++;
        throw new Error('chain writer killed after sending');
      },
    };
    await expect(advanceSubmission(db.sql, crashing)).rejects.toThrow('killed after sending');

    let resubmissions = 0;
    const recovering: ChainWriter = {
      getEpochRoot: (e) => dev.oracleClient.getEpochRoot(e),
      transactionState: (s) => dev.oracleClient.transactionState(s),
      async submitRewardsRoot(submission) {
        resubmissions++;
        return dev.oracleClient.submitRewardsRoot(submission);
      },
    };
    let status = '';
    const deadline = Date.now() + 60_000;
    while (status !== 'confirmed' && Date.now() < deadline) {
      status = (await advanceSubmission(db.sql, recovering))?.status ?? '';
      if (status !== 'confirmed') await new Promise((r) => setTimeout(r, 500));
    }
    const [row] = await db.sql<{ root: Buffer; status: string; total: string }[]>`SELECT merkle_root AS root, status, total_paid::text AS total FROM epochs WHERE epoch = ${String(epoch)}::bigint`;
    const onChain = await dev.oracleClient.getEpochRoot(epoch);
    const network = await dev.oracleClient.fetchNetwork();
    console.log(
      `FAULT chain writer crash after send: sent before crash ${sentBeforeCrash}, resubmissions after restart ${resubmissions}, ` +
        `epoch status ${row!.status}, chain epochs ${network!.nextEpoch}, chain total emitted ${network!.totalEmitted}, oracle paid ${row!.total}`,
    );
    expect(status).toBe('confirmed');
    expect(resubmissions).toBe(0);
    expect(Buffer.from(onChain!).equals(row!.root)).toBe(true);
    expect(network!.nextEpoch).toBe(1n);
    expect(network!.totalEmitted).toBe(BigInt(row!.total));
    // A second submission for the same epoch is refused: no double payment.
    await expect(dev.oracleClient.submitRewardsRoot({ epoch, root: row!.root, leafCount: 1, totalCumulative: BigInt(row!.total) * 2n })).rejects.toThrow(/already on chain/);
  }, 240_000);
});

/** Verified, scored PoCs inside one epoch, as the PoC processor leaves them. */
async function insertScoredPocs(sql: Sql, atMs: number): Promise<void> {
  const hotspots = Array.from({ length: 6 }, () => generateHotspotKeypair().address);
  let n = 0;
  const hash = () => `c0ffee${(n++).toString(16).padStart(58, '0')}`;
  for (let i = 0; i < 12; i++) {
    const beaconHash = hash();
    const witnesses = [1, 2, 3].slice(0, 1 + (i % 3)).map((k) => hotspots[(i + k) % 6]!);
    const unit = witnesses.length / 4;
    await sql`INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate,
                tx_power, tmst, signature, status, hex_scale, reward_unit, trust, reward_shares, processed_at)
              VALUES (${beaconHash}, ${hotspots[i % 6]!}, ${new Date(atMs + i * 1000)}, 0, ${Buffer.alloc(4)}, ${Buffer.alloc(32)}, ${Buffer.alloc(51)}, 867900000, 4, 'SF12BW125',
                14, 0, ${Buffer.alloc(64)}, 'valid', 1, ${unit}, 1, ${rewardShares(1, unit, 1).toString()}::bigint, now())`;
    for (const w of witnesses) {
      await sql`INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status,
                  beacon_hash, selected, reward_unit, trust, reward_shares, processed_at)
                VALUES (${hash()}, ${w}, ${new Date(atMs + i * 1000 + 300)}, 0, ${Buffer.alloc(51)}, 0, -1000, 50, 867900000, 'SF12BW125',
                  ${Buffer.alloc(64)}, 'valid', ${beaconHash}, true, 1, 1, ${rewardShares(1, 1, 1).toString()}::bigint, now())`;
    }
  }
}
