import { mapperRegistrationSchema, unsealDeviceKey, verifyMapperRegistration, type KeySealKeypair } from '@poc/protocol';
import type { Sql, TransactionSql } from 'postgres';
import { z } from 'zod';

/** How old a signed registration may be when it reaches the oracle (a leaked old one cannot be replayed later). */
export const REGISTRATION_MAX_AGE_SECONDS = 86_400;
const REGISTRATION_MAX_FUTURE_SECONDS = 300;
const MAX_REGISTRATION_JSON_BYTES = 2048;

export type RegistrationRefusal = 'malformed' | 'bad_signature' | 'stale' | 'from_the_future' | 'not_sealed_to_this_oracle' | 'device_id_taken' | 'replayed';

export type RegistrationOutcome =
  | { ok: true; deviceId: number; owner: string; replaced: boolean }
  | { ok: false; reason: RegistrationRefusal; detail: string };

/**
 * Registers (or re-keys, for the same owner) a mapper device from the owner's signed registration JSON: the signature
 * must verify against the owner wallet, the registration must be recent, and the sealed key must open with this
 * oracle's key-seal key for this device id. The key is stored as it came, sealed. Never throws on bad input.
 * Without `keySeal` (the mapper API's POST /v1/mappers, which never holds the seal secret) the seal is not checked
 * here: a key that does not open leaves the device unknown to the oracle, which rejects its frames as unknown_device.
 */
export async function registerMapperDevice(sql: Sql, body: string | Uint8Array, o: { keySeal?: KeySealKeypair; nowSeconds?: number }): Promise<RegistrationOutcome> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (Buffer.byteLength(text) > MAX_REGISTRATION_JSON_BYTES) return { ok: false, reason: 'malformed', detail: `larger than ${MAX_REGISTRATION_JSON_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: (error as Error).message };
  }
  const parsed = mapperRegistrationSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(parsed.error) };
  const r = parsed.data;
  if (!verifyMapperRegistration(r)) return { ok: false, reason: 'bad_signature', detail: 'the owner signature does not verify' };
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (r.issued_at < now - REGISTRATION_MAX_AGE_SECONDS) return { ok: false, reason: 'stale', detail: `signed ${now - r.issued_at} s ago; sign a new registration` };
  if (r.issued_at > now + REGISTRATION_MAX_FUTURE_SECONDS) return { ok: false, reason: 'from_the_future', detail: `issued_at is ${r.issued_at - now} s ahead` };
  if (o.keySeal && !unsealDeviceKey(r.sealed_key, r.device_id, o.keySeal)) {
    return { ok: false, reason: 'not_sealed_to_this_oracle', detail: 'the device key is not sealed to this oracle key-seal key for this device id' };
  }
  const issuedAt = new Date(r.issued_at * 1000);
  return sql.begin(async (tx) => {
    const [existing] = await tx<{ owner: string; issued_at: Date }[]>`SELECT owner, issued_at FROM mapper_devices WHERE device_id = ${r.device_id} FOR UPDATE`;
    if (existing && existing.owner !== r.owner) return { ok: false, reason: 'device_id_taken', detail: `device ${r.device_id} belongs to another owner` } as const;
    if (existing && existing.issued_at >= issuedAt) return { ok: false, reason: 'replayed', detail: 'not newer than the registration on file' } as const;
    // A re-key restarts the counter: the device's new key starts a new frame sequence.
    await tx`
      INSERT INTO mapper_devices (device_id, owner, sealed_key, registration_signature, issued_at)
      VALUES (${r.device_id}, ${r.owner}, ${Buffer.from(r.sealed_key)}, ${Buffer.from(r.signature)}, ${issuedAt})
      ON CONFLICT (device_id) DO UPDATE SET sealed_key = EXCLUDED.sealed_key, registration_signature = EXCLUDED.registration_signature,
        issued_at = EXCLUDED.issued_at, registered_at = now(), last_counter = NULL`;
    return { ok: true, deviceId: r.device_id, owner: r.owner, replaced: existing !== undefined } as const;
  });
}

export interface MapperDevice {
  deviceId: number;
  owner: string;
  key: Uint8Array;
  lastCounter: number | null;
  lastFix: { lat: number; lng: number; at: Date } | null;
}

/** A registered device with its key opened, or null (unknown, or sealed to another key-seal key). */
export async function loadMapperDevice(sql: Sql | TransactionSql, deviceId: number, keySeal: KeySealKeypair): Promise<MapperDevice | null> {
  return (await loadMapperDevices(sql, [deviceId], keySeal)).get(deviceId) ?? null;
}

/**
 * The registered devices among `deviceIds` with their keys opened, locked FOR UPDATE in device-id order (two judges
 * wait for each other instead of deadlocking). Unknown devices and keys sealed to another key-seal key are absent.
 */
export async function loadMapperDevices(sql: Sql | TransactionSql, deviceIds: readonly number[], keySeal: KeySealKeypair): Promise<Map<number, MapperDevice>> {
  const devices = new Map<number, MapperDevice>();
  if (deviceIds.length === 0) return devices;
  const rows = await sql<{ device_id: string; owner: string; sealed_key: Buffer; last_counter: string | null; last_lat: number | null; last_lng: number | null; last_fix_at: Date | null }[]>`
    SELECT device_id::text, owner, sealed_key, last_counter::text, last_lat, last_lng, last_fix_at FROM mapper_devices
    WHERE device_id = ANY(${[...new Set(deviceIds)]}::bigint[]) ORDER BY device_id FOR UPDATE`;
  for (const row of rows) {
    const deviceId = Number(row.device_id);
    const key = unsealDeviceKey(row.sealed_key, deviceId, keySeal);
    if (!key) continue;
    devices.set(deviceId, {
      deviceId,
      owner: row.owner,
      key,
      lastCounter: row.last_counter === null ? null : Number(row.last_counter),
      lastFix: row.last_lat !== null && row.last_lng !== null && row.last_fix_at ? { lat: row.last_lat, lng: row.last_lng, at: row.last_fix_at } : null,
    });
  }
  return devices;
}
