import { readFileSync } from 'node:fs';
import { encodeWalletAddress, keypairFromSecret, sealDeviceKey, signMapperRegistration } from '@poc/protocol';

export interface MapperRegisterRequest {
  deviceId: number;
  /** The device's 16-byte key, hex. */
  deviceKeyHex: string;
  /** Owner wallet: a Solana keypair file (JSON array of 64 bytes: secret ‖ public). */
  ownerKeypairPath: string;
  /** The oracle's X25519 key-seal public key, hex (`npm run mapper-device -- seal-keygen` prints it). */
  sealPublicHex: string;
  mapperUrl: string;
  nowSeconds?: number;
}

export class MapperRegisterError extends Error {}

/** The owner's Ed25519 key from a Solana keypair file; refuses a file whose public half does not match its secret. */
function readOwnerWallet(path: string) {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MapperRegisterError(`cannot read the owner keypair file ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new MapperRegisterError(`${path} is not a Solana keypair file (a JSON array of 64 bytes)`);
  }
  const all = Uint8Array.from(bytes as number[]);
  const keypair = keypairFromSecret(all.subarray(0, 32));
  if (!Buffer.from(keypair.publicKey).equals(all.subarray(32))) throw new MapperRegisterError(`${path}: its public key does not match its secret key`);
  return { owner: encodeWalletAddress(keypair.publicKey), privateKey: keypair.privateKeyObject };
}

/** Signs a mapper device registration with the owner's wallet, the device key sealed to the oracle (SPEC.md §Mapper registration). */
export function signedMapperRegistration(r: Omit<MapperRegisterRequest, 'mapperUrl'>) {
  if (!Number.isInteger(r.deviceId) || r.deviceId < 0 || r.deviceId > 0xffff_ffff) throw new MapperRegisterError('--device-id must be an integer 0–4294967295');
  if (!/^[0-9a-fA-F]{32}$/.test(r.deviceKeyHex)) throw new MapperRegisterError('--device-key must be 32 hex digits (16 bytes)');
  if (!/^[0-9a-fA-F]{64}$/.test(r.sealPublicHex)) throw new MapperRegisterError("--seal-public must be the oracle's 64-hex-digit key-seal public key");
  const wallet = readOwnerWallet(r.ownerKeypairPath);
  const sealedKey = sealDeviceKey(Buffer.from(r.deviceKeyHex, 'hex'), r.deviceId, Buffer.from(r.sealPublicHex, 'hex'));
  return signMapperRegistration({ deviceId: r.deviceId, owner: wallet.owner, sealedKey, issuedAt: r.nowSeconds ?? Math.floor(Date.now() / 1000) }, wallet.privateKey);
}

/** The mapper API's own body limit for a registration (mapper/src/routes/mapper-register.ts). */
export const MAPPER_REGISTRATION_MAX_BYTES = 4096;

/** Signs the registration and POSTs it to the mapper API's /v1/mappers; the answer as the API gave it. */
export async function registerMapperDeviceAt(r: MapperRegisterRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  return postMapperRegistration(r.mapperUrl, signedMapperRegistration(r));
}

/** POSTs a signed registration to the mapper API's /v1/mappers; the answer as the API gave it. */
export async function postMapperRegistration(mapperUrl: string, registration: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  let url: URL;
  try {
    url = new URL('/v1/mappers', mapperUrl);
  } catch {
    throw new MapperRegisterError(`--mapper-url must be a URL, got "${mapperUrl}"`);
  }
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration), signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new MapperRegisterError(`no mapper API answering at ${url.origin}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: 'not_json', message: text.slice(0, 200) };
  }
  return { status: response.status, body };
}
