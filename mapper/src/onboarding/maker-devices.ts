/**
 * The maker's list of manufactured hotspots (table maker_devices): keys are registered at the factory, the
 * onboarding server co-signs only registered, unrevoked keys of its own maker, and marks them onboarded.
 */
import { decodeHotspotAddress } from '@poc/protocol';
import type { Sql } from 'postgres';

export type MakerDeviceStatus = 'manufactured' | 'onboarded' | 'revoked';

export interface MakerDevice {
  hotspot: string;
  maker: string;
  batch: string;
  status: MakerDeviceStatus;
  manufactured_at: Date;
  onboarded_at: Date | null;
  owner: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

const INSERT_CHUNK = 5_000;

export class MakerDeviceError extends Error {}

function checkBatch(batch: string): string {
  const name = batch.trim();
  if (!/^[\w.:/-]{1,64}$/.test(name)) throw new MakerDeviceError(`batch "${batch}" must be 1–64 letters, digits or . _ : / -`);
  return name;
}

/** Records hotspot keys as manufactured by `maker` in `batch`; keys already listed (for any maker) are left as they are. */
export async function registerMakerDevices(sql: Sql, input: { maker: string; batch: string; hotspots: readonly string[] }): Promise<{ registered: number; alreadyListed: number }> {
  const batch = checkBatch(input.batch);
  const hotspots = [...new Set(input.hotspots.map((h) => h.trim()).filter(Boolean))];
  const invalid = hotspots.filter((h) => {
    try {
      decodeHotspotAddress(h);
      return false;
    } catch {
      return true;
    }
  });
  if (invalid.length > 0) throw new MakerDeviceError(`${invalid.length} entries are not hotspot addresses, e.g. "${invalid[0]!.slice(0, 60)}"`);
  let registered = 0;
  for (let i = 0; i < hotspots.length; i += INSERT_CHUNK) {
    const rows = hotspots.slice(i, i + INSERT_CHUNK).map((hotspot) => ({ hotspot, maker: input.maker, batch }));
    registered += (await sql`INSERT INTO maker_devices ${sql(rows, 'hotspot', 'maker', 'batch')} ON CONFLICT (hotspot) DO NOTHING RETURNING hotspot`).length;
  }
  return { registered, alreadyListed: hotspots.length - registered };
}

export async function findMakerDevice(sql: Sql, hotspot: string): Promise<MakerDevice | null> {
  const [row] = await sql<MakerDevice[]>`SELECT * FROM maker_devices WHERE hotspot = ${hotspot}`;
  return row ?? null;
}

/** Withdraws devices (a stolen shipment, a leaked key): the onboarding server refuses them from then on. */
export async function revokeMakerDevices(sql: Sql, input: { maker: string; hotspots?: readonly string[]; batch?: string; reason: string }): Promise<number> {
  if (!input.hotspots?.length && !input.batch) throw new MakerDeviceError('name the hotspots or the batch to revoke');
  const rows = await sql`
    UPDATE maker_devices SET status = 'revoked', revoked_at = now(), revoked_reason = ${input.reason.slice(0, 200)}
    WHERE maker = ${input.maker} AND status <> 'revoked'
      AND (${input.batch ?? null}::text IS NULL OR batch = ${input.batch ?? null})
      AND (${input.hotspots ? sql.array([...input.hotspots]) : null}::text[] IS NULL OR hotspot = ANY(${input.hotspots ? sql.array([...input.hotspots]) : null}::text[]))
    RETURNING hotspot`;
  return rows.length;
}

export async function markMakerDeviceOnboarded(sql: Sql, hotspot: string, owner: string): Promise<void> {
  await sql`UPDATE maker_devices SET status = 'onboarded', onboarded_at = now(), owner = ${owner} WHERE hotspot = ${hotspot} AND status = 'manufactured'`;
}

export async function listMakerDevices(sql: Sql, input: { maker?: string; batch?: string }): Promise<MakerDevice[]> {
  return sql<MakerDevice[]>`
    SELECT * FROM maker_devices
    WHERE (${input.maker ?? null}::text IS NULL OR maker = ${input.maker ?? null})
      AND (${input.batch ?? null}::text IS NULL OR batch = ${input.batch ?? null})
    ORDER BY manufactured_at, hotspot`;
}
