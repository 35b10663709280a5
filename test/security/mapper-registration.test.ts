import { connectDatabase, type Database } from '@poc/db';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { buildBridgeApi, runCli } from '@poc/hotspot-firmware-bridge';
import { buildMapperServer } from '@poc/mapper';
import { hotspot, mapperOwner, processMapperFrames, seedHotspots, storeMapperReceipts } from '@poc/oracle/testing';
import {
  encodeMapperFrame,
  encodeMapperReceiptPayload,
  keySealKeypairFromSecret,
  mapperReceiptTopic,
  signMapperReceipt,
  walletAddressOfKey,
} from '@poc/protocol';
import type { FastifyInstance } from 'fastify';
import { latLngToCell } from 'h3-js';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * POST /v1/mappers (mapper/README.md §Registering a mapper device) against a real mapper server over HTTP and real
 * PostgreSQL: forged, malformed, oversized and hijacking registrations are refused with their reasons, the rate is
 * bounded per address, and an honest registration (by HTTP or by `poc-bridge mapper-register`) is one the oracle
 * opens: a frame from the device is judged plausible.
 */
let db: TestDatabase;
let serverSql: Database;
let app: FastifyInstance;
let base: string;
let dir: string;
const keySeal = keySealKeypairFromSecret(randomBytes(32));
const otherOracle = keySealKeypairFromSecret(randomBytes(32));
const publicOf = (k: KeyObject) => new Uint8Array(Buffer.from(k.export({ format: 'jwk' }).x!, 'base64url'));
const { keys: owner, address: ownerAddress, registration } = mapperOwner(keySeal.publicKey);
const stranger = generateKeyPairSync('ed25519');
const strangerAddress = walletAddressOfKey(stranger.publicKey);
const A = hotspot(latLngToCell(52.52, 13.405, 12));

async function post(body: unknown, at = base) {
  const r = await fetch(`${at}/v1/mappers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as { error?: string; message?: string; status?: string; device_id?: number; owner?: string } };
}
const stored = async (deviceId: number) => db.sql<{ owner: string; sealed_key: Buffer }[]>`SELECT owner, sealed_key FROM mapper_devices WHERE device_id = ${deviceId}`;

/** Hotspot A hears one frame of the device near it; the oracle judges it with its key-seal key. */
async function oracleJudgesFrameOf(deviceId: number, deviceKey: Uint8Array, counter: number) {
  const frame = encodeMapperFrame({ deviceId, counter, latE7: 525_210_000, lngE7: 134_080_000, hdopDeci: 9, satellites: 9 }, deviceKey);
  const sentAt = Date.now() - 60_000;
  const receipt = signMapperReceipt(
    { pub_key: A.keys.address, frame, timestamp: BigInt(sentAt) * 1_000_000n, tmst: 1000 + counter, signal: -900, snr: 50, frequency: 868_100_000, gateway_time: 0n, datarate: 'SF9BW125' },
    A.keys.privateKeyObject,
  );
  await storeMapperReceipts(db.sql, [{ topic: mapperReceiptTopic('EU868', A.keys.address), payload: encodeMapperReceiptPayload(receipt), receivedAt: new Date(sentAt + 200) }]);
  return processMapperFrames(db.sql, { keySeal, now: new Date() });
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedHotspots(db.sql, [A]);
  serverSql = connectDatabase(db.url, { max: 2 });
  app = await buildMapperServer({ sql: serverSql, coverageIndex: false, estimates: false, mapperMeasurements: false, mapperRegistrationRateLimitPerMinute: 100 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'poc-mapper-register-'));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await serverSql?.end({ timeout: 5 });
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/mappers', () => {
  it('an honest registration is stored sealed; the oracle opens it and judges a frame from the device plausible', async () => {
    const deviceKey = randomBytes(16);
    const r = await post(registration(0x00c0ffee, deviceKey));
    expect(r).toEqual({ status: 201, json: { device_id: 0x00c0ffee, owner: ownerAddress, status: 'registered' } });
    const [row] = await stored(0x00c0ffee);
    expect(row!.owner).toBe(ownerAddress);
    expect(row!.sealed_key.includes(deviceKey)).toBe(false);
    expect((await oracleJudgesFrameOf(0x00c0ffee, deviceKey, 1)).map((v) => [v.status, v.reason])).toEqual([['plausible', null]]);
  });

  it('the same owner re-keys a device with a newer registration; an older or repeated one is refused as replayed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = registration(0x00c0ff01, randomBytes(16), { issuedAt: now - 100 });
    expect((await post(first)).status).toBe(201);
    const newKey = randomBytes(16);
    expect(await post(registration(0x00c0ff01, newKey, { issuedAt: now - 50 }))).toMatchObject({ status: 200, json: { status: 're-keyed' } });
    expect(await post(first)).toMatchObject({ status: 409, json: { error: 'replayed' } });
    expect((await oracleJudgesFrameOf(0x00c0ff01, newKey, 1)).map((v) => v.status)).toEqual(['plausible']);
  });

  it('attack: a device id registered by another owner is refused (409 device_id_taken); the row keeps its owner and key', async () => {
    expect((await post(registration(0x00c0ff02, randomBytes(16)))).status).toBe(201);
    const [before] = await stored(0x00c0ff02);
    const hijack = await post(registration(0x00c0ff02, randomBytes(16), { signer: stranger.privateKey, as: strangerAddress }));
    expect(hijack).toMatchObject({ status: 409, json: { error: 'device_id_taken', message: expect.stringContaining('another owner') } });
    expect(await stored(0x00c0ff02)).toEqual([before]);
  });

  it('attack: a registration not signed by the owner it names is refused (401 bad_signature) and nothing is stored', async () => {
    const forged = await post(registration(0x00c0ff03, randomBytes(16), { signer: stranger.privateKey }));
    expect(forged).toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    const good = registration(0x00c0ff03, randomBytes(16));
    const altered = await post({ ...good, device_id: 0x00c0ff04 });
    expect(altered).toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    expect([...(await stored(0x00c0ff03)), ...(await stored(0x00c0ff04))]).toEqual([]);
  });

  it('attack: malformed, oversized, stale and future registrations are refused with their reasons', async () => {
    const good = registration(0x00c0ff05, randomBytes(16));
    expect(await post('{"device_id": 1,')).toMatchObject({ status: 400 });
    expect(await post([])).toMatchObject({ status: 400, json: { error: 'malformed' } });
    expect(await post({ ...good, extra: 1 })).toMatchObject({ status: 400, json: { error: 'malformed' } });
    expect(await post({ ...good, sealed_key: Buffer.alloc(10).toString('base64') })).toMatchObject({ status: 400, json: { error: 'malformed', message: expect.stringContaining('sealed_key') } });
    expect(await post({ ...good, owner: 'x'.repeat(3000) })).toMatchObject({ status: 400, json: { error: 'malformed' } });
    const huge = await fetch(`${base}/v1/mappers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...good, pad: 'x'.repeat(8192) }) });
    expect(huge.status).toBe(413);
    const now = Math.floor(Date.now() / 1000);
    expect(await post(registration(0x00c0ff05, randomBytes(16), { issuedAt: now - 2 * 86_400 }))).toMatchObject({ status: 400, json: { error: 'stale' } });
    expect(await post(registration(0x00c0ff05, randomBytes(16), { issuedAt: now + 3600 }))).toMatchObject({ status: 400, json: { error: 'from_the_future' } });
    expect(await stored(0x00c0ff05)).toEqual([]);
    // The server still answers honest requests.
    expect((await post(good)).status).toBe(201);
  });

  it('a key sealed to another oracle is stored (the API cannot open seals) but the oracle rejects its frames as unknown_device', async () => {
    const deviceKey = randomBytes(16);
    expect((await post(registration(0x00c0ff06, deviceKey, { sealTo: otherOracle.publicKey }))).status).toBe(201);
    expect((await oracleJudgesFrameOf(0x00c0ff06, deviceKey, 1)).map((v) => [v.status, v.reason])).toEqual([['rejected', 'unknown_device']]);
  });

  it('attack: registrations are rate limited per address (429 rate_limited), counted before the body is read', async () => {
    const limited = await buildMapperServer({ sql: serverSql, coverageIndex: false, estimates: false, mapperMeasurements: false, mapperRegistrationRateLimitPerMinute: 3 });
    const at = await limited.listen({ host: '127.0.0.1', port: 0 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await post('not json', at)).status);
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
      expect(await post(registration(0x00c0ff07, randomBytes(16)), at)).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
      expect(await stored(0x00c0ff07)).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe('poc-bridge mapper-register', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const walletFile = (k: KeyObject, name: string) => {
    const secret = Buffer.from(k.export({ format: 'jwk' }).d!, 'base64url');
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify([...secret, ...publicOf(k)]));
    return path;
  };
  const args = (deviceId: number, deviceKey: Uint8Array, keypair: string, mapperUrl = base) => [
    'mapper-register', '--device-id', String(deviceId), '--device-key', Buffer.from(deviceKey).toString('hex'),
    '--owner-keypair', keypair, '--seal-public', Buffer.from(keySeal.publicKey).toString('hex'), '--mapper-url', mapperUrl,
  ];

  it('signs with the owner keypair file and registers through the mapper API; the oracle then judges the device frame plausible', async () => {
    const deviceKey = randomBytes(16);
    const r = await run(args(0x00b1d001, deviceKey, walletFile(owner.privateKey, 'owner.json')));
    expect(r).toMatchObject({ code: 0, out: `registered mapper device ${0x00b1d001} for ${ownerAddress}` });
    expect((await stored(0x00b1d001)).map((row) => row.owner)).toEqual([ownerAddress]);
    expect((await oracleJudgesFrameOf(0x00b1d001, deviceKey, 1)).map((v) => v.status)).toEqual(['plausible']);
  });

  it('prints the refusal of a device id owned by another wallet, and clear errors for bad arguments and no server', async () => {
    const taken = await run(args(0x00b1d001, randomBytes(16), walletFile(stranger.privateKey, 'stranger.json')));
    expect(taken).toMatchObject({ code: 1, err: expect.stringContaining('refused (409): device_id_taken') });
    expect(await run(['mapper-register', '--device-id', '1'])).toMatchObject({ code: 2, err: expect.stringContaining('--device-key, --owner-keypair, --seal-public, --mapper-url') });
    expect(await run(args(1, randomBytes(16), join(dir, 'missing.json')))).toMatchObject({ code: 1, err: expect.stringContaining('cannot read the owner keypair file') });
    const mismatched = join(dir, 'mismatched.json');
    writeFileSync(mismatched, JSON.stringify([...Buffer.from(owner.privateKey.export({ format: 'jwk' }).d!, 'base64url'), ...publicOf(stranger.publicKey)]));
    expect(await run(args(1, randomBytes(16), mismatched))).toMatchObject({ code: 1, err: expect.stringContaining('does not match') });
    const bad = args(1, randomBytes(16), walletFile(owner.privateKey, 'owner2.json'));
    bad[4] = 'abc';
    expect(await run(bad)).toMatchObject({ code: 1, err: expect.stringContaining('--device-key must be 32 hex digits') });
    expect(await run(args(1, randomBytes(16), walletFile(owner.privateKey, 'owner3.json'), 'http://127.0.0.1:9'))).toMatchObject({ code: 1, err: expect.stringContaining('no mapper API answering') });
  });
});

describe("the bridge's local API relays an owner-signed registration (POST /mappers/register)", () => {
  const bridgeApi = (mapperApiUrl?: string) =>
    buildBridgeApi({ keypair: A.keys, bridge: { counters: {} } as never, publisher: {} as never, queue: {} as never, ...(mapperApiUrl ? { mapperApiUrl } : {}) });

  it('relays a registration the owner signed elsewhere to the mapper API; the oracle then opens the device key', async () => {
    const api = bridgeApi(base);
    const deviceKey = randomBytes(16);
    const answer = await api.inject({ method: 'POST', url: '/mappers/register', payload: registration(0x00b1d0a1, deviceKey) });
    expect([answer.statusCode, answer.json()]).toEqual([201, { device_id: 0x00b1d0a1, owner: ownerAddress, status: 'registered' }]);
    expect((await oracleJudgesFrameOf(0x00b1d0a1, deviceKey, 1)).map((v) => v.status)).toEqual(['plausible']);
    const forged = await api.inject({ method: 'POST', url: '/mappers/register', payload: registration(0x00b1d0a2, randomBytes(16), { signer: stranger.privateKey }) });
    expect([forged.statusCode, forged.json().error]).toEqual([401, 'bad_signature']);
    expect(await stored(0x00b1d0a2)).toEqual([]);
    await api.close();
  });

  it('attack: a web page or a LAN peer cannot use the hotspot as a relay; no mapper API or an unreachable one is said clearly', async () => {
    const api = bridgeApi(base);
    const fromPage = await api.inject({ method: 'POST', url: '/mappers/register', headers: { origin: 'https://evil.example' }, payload: registration(0x00b1d0a3, randomBytes(16)) });
    const fromLan = await api.inject({ method: 'POST', url: '/mappers/register', remoteAddress: '192.0.2.7', payload: registration(0x00b1d0a3, randomBytes(16)) });
    // A page's Origin is refused by the API's CORS rule before the route; a LAN peer by the route itself.
    expect([fromPage.statusCode, fromPage.json().error, fromLan.statusCode, fromLan.json().error]).toEqual([403, 'origin_not_allowed', 403, 'local_only']);
    const oversized = await api.inject({ method: 'POST', url: '/mappers/register', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(8192) }) });
    expect(oversized.statusCode).toBe(413);
    expect(await stored(0x00b1d0a3)).toEqual([]);
    await api.close();
    const unconfigured = bridgeApi();
    const none = await unconfigured.inject({ method: 'POST', url: '/mappers/register', payload: registration(0x00b1d0a3, randomBytes(16)) });
    expect([none.statusCode, none.json().error]).toEqual([503, 'no_mapper_api']);
    await unconfigured.close();
    const unreachable = bridgeApi('http://127.0.0.1:9');
    const down = await unreachable.inject({ method: 'POST', url: '/mappers/register', payload: registration(0x00b1d0a3, randomBytes(16)) });
    expect([down.statusCode, down.json().error]).toEqual([502, 'mapper_api_unreachable']);
    await unreachable.close();
  });
});
