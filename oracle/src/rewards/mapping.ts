import type { Sql, TransactionSql } from 'postgres';
import { allocateProportionally } from './allocate';

/**
 * Mapping rewards (oracle/README.md §Mapping rewards): who earns for mapper measurements in an epoch, with the
 * self-dealing bounds. Units only; the pools come from the epoch's PoC pool (`splitMappingPool`).
 *
 * - A hotspot earns one unit per distinct res-9 cell in which it heard a plausible mapper frame (a valid receipt) in
 *   the epoch — driving circles in one cell earns one unit — up to `hotspotCellCap` cells.
 * - A device's owner earns one unit per distinct res-9 cell the device mapped that is new or stale (no plausible
 *   mapper frame there in the `staleAfterDays` before the epoch), up to `deviceCellCap` cells per device.
 * - Self-dealing: a receipt whose hotspot has the device's owner as owner earns nothing for either side, and a frame
 *   heard only by the device owner's own hotspots maps nothing for him.
 */
export interface MappingRewardRules {
  hotspotCellCap: number;
  deviceCellCap: number;
  staleAfterDays: number;
}

export const DEFAULT_MAPPING_RULES: MappingRewardRules = { hotspotCellCap: 200, deviceCellCap: 500, staleAfterDays: 30 };

/** Mapping pool = 1/10 of the witness pool (6.4 % of emission with today's split); the rest stays with witnesses. */
export function splitMappingPool(witnessPool: bigint): { mappingPool: bigint; witnessPool: bigint } {
  const mappingPool = witnessPool / 10n;
  return { mappingPool, witnessPool: witnessPool - mappingPool };
}

export interface MappingUnits {
  hotspots: Map<string, bigint>;
  owners: Map<string, bigint>;
}

export async function mappingRewardUnits(sql: Sql | TransactionSql, epoch: { from: Date; to: Date }, rules: MappingRewardRules = DEFAULT_MAPPING_RULES): Promise<MappingUnits> {
  const hotspotRows = await sql<{ hotspot: string; cells: number }[]>`
    SELECT hotspot, least(count(DISTINCT h3), ${rules.hotspotCellCap})::int AS cells FROM (
      SELECT r.hotspot, f.h3
      FROM mapper_frames f
      JOIN mapper_receipts r ON r.frame_id = f.id AND r.status = 'valid'
      JOIN mapper_devices d ON d.device_id = f.device_id
      JOIN hotspots h ON h.address = r.hotspot
      WHERE f.status = 'plausible' AND f.first_received_at >= ${epoch.from} AND f.first_received_at < ${epoch.to}
        AND h.owner IS DISTINCT FROM d.owner
    ) heard GROUP BY hotspot`;
  const ownerRows = await sql<{ owner: string; cells: number }[]>`
    SELECT owner, sum(cells)::int AS cells FROM (
      SELECT d.owner, least(count(DISTINCT f.h3), ${rules.deviceCellCap}) AS cells
      FROM mapper_frames f
      JOIN mapper_devices d ON d.device_id = f.device_id
      WHERE f.status = 'plausible' AND f.first_received_at >= ${epoch.from} AND f.first_received_at < ${epoch.to}
        AND EXISTS (
          SELECT 1 FROM mapper_receipts r JOIN hotspots h ON h.address = r.hotspot
          WHERE r.frame_id = f.id AND r.status = 'valid' AND h.owner IS DISTINCT FROM d.owner)
        AND NOT EXISTS (
          SELECT 1 FROM mapper_frames p
          WHERE p.h3 = f.h3 AND p.status = 'plausible'
            AND p.first_received_at >= ${new Date(epoch.from.getTime() - rules.staleAfterDays * 86_400_000)} AND p.first_received_at < ${epoch.from})
      GROUP BY f.device_id, d.owner
    ) per_device GROUP BY owner`;
  return {
    hotspots: new Map(hotspotRows.filter((r) => r.cells > 0).map((r) => [r.hotspot, BigInt(r.cells)])),
    owners: new Map(ownerRows.filter((r) => r.cells > 0).map((r) => [r.owner, BigInt(r.cells)])),
  };
}

/** Exact integer split of `pool` over units (largest remainder, ties by key), as the PoC pools are split. */
export function allocateMapping(pool: bigint, units: Map<string, bigint>): Map<string, bigint> {
  const keys = [...units.keys()].sort();
  const amounts = allocateProportionally(pool, keys.map((k) => units.get(k)!), keys);
  return new Map(keys.map((k, i) => [k, amounts[i]!]));
}
