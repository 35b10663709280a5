import type { Sql, TransactionSql } from 'postgres';
import { allocateMapping, DEFAULT_MAPPING_RULES, mappingRewardUnits, splitMappingPool, type MappingRewardRules } from './mapping';

/**
 * One epoch's mapping rewards as amounts per Merkle recipient (oracle/README.md §Mapping rewards).
 *
 * The rewards tree has one leaf per hotspot key and the program's `claim_rewards` pays a leaf to the hotspot's owner
 * (programs/README.md), so there is no wallet leaf. A device owner's amount is therefore added to his **payout
 * hotspot** — the lowest address among the hotspots he owns in the registry — and claimed with it. An owner without a
 * hotspot is not paid: his amount is recorded as unallocated (it cannot be held for later either, since the program
 * caps each epoch's new total at that epoch's emission).
 */
export interface EpochMappingRewards {
  /** Taken from the witness pool; 0 when no hotspot carried a mapper frame in the epoch (the share stays with witnesses). */
  mappingPool: bigint;
  /** The witness pool left for witness shares. */
  witnessPool: bigint;
  /** Mapping amount per hotspot address: its own carried-frame amount plus its owner's device amount, when it is the payout hotspot. */
  amounts: Map<string, bigint>;
  paid: bigint;
  /** Device owners' amounts with no hotspot to pay them through. */
  unallocated: bigint;
}

export async function epochMappingRewards(
  sql: Sql | TransactionSql,
  window: { from: Date; to: Date },
  witnessPool: bigint,
  rules: MappingRewardRules = DEFAULT_MAPPING_RULES,
): Promise<EpochMappingRewards> {
  const units = await mappingRewardUnits(sql, window, rules);
  if (units.hotspots.size === 0) return { mappingPool: 0n, witnessPool, amounts: new Map(), paid: 0n, unallocated: 0n };
  const split = splitMappingPool(witnessPool);
  // Half to the hotspots that carried mapper frames, half to the device owners (all to the hotspots when no cell was new).
  const ownerPool = units.owners.size > 0 ? split.mappingPool / 2n : 0n;
  const amounts = allocateMapping(split.mappingPool - ownerPool, units.hotspots);
  const ownerAmounts = allocateMapping(ownerPool, units.owners);
  const payout = await payoutHotspots(sql, [...ownerAmounts.keys()]);
  let unallocated = 0n;
  for (const [owner, amount] of ownerAmounts) {
    const hotspot = payout.get(owner);
    if (hotspot === undefined) unallocated += amount;
    else amounts.set(hotspot, (amounts.get(hotspot) ?? 0n) + amount);
  }
  return { mappingPool: split.mappingPool, witnessPool: split.witnessPool, amounts, paid: split.mappingPool - unallocated, unallocated };
}

/** Each owner's lowest-addressed hotspot in the registry (deterministic for a given registry state). */
async function payoutHotspots(sql: Sql | TransactionSql, owners: string[]): Promise<Map<string, string>> {
  if (owners.length === 0) return new Map();
  const rows = await sql<{ owner: string; address: string }[]>`
    SELECT DISTINCT ON (owner) owner, address FROM hotspots WHERE owner IN ${sql(owners)} ORDER BY owner, address COLLATE "C"`;
  return new Map(rows.map((r) => [r.owner, r.address]));
}
