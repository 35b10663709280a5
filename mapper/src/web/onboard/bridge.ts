/**
 * The owner's browser asks the hotspot's bridge for the possession signature itself: the onboarding server never
 * talks to a bridge, and the bridge signs only for a request carrying the pairing code shown on the hotspot.
 */
import { ApiError } from '../api';
import { fromB64 } from './wallet';

export const DEFAULT_BRIDGE_URL = 'http://127.0.0.1:4468';

export interface PossessionRequest {
  owner: string;
  maker: string;
  programId: string;
  /** The hotspot the owner entered; the bridge refuses when it holds another. */
  hotspot: string;
  code: string;
}

function bridgeBase(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim() || DEFAULT_BRIDGE_URL);
  } catch {
    throw new ApiError(0, 'invalid_bridge_url', `"${text}" is not an address like ${DEFAULT_BRIDGE_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ApiError(0, 'invalid_bridge_url', `"${text}" is not an http(s) address`);
  return url.origin;
}

/** The hotspot's Ed25519 signature over the possession message (base64), checked for shape and hotspot. */
export async function requestPossessionSignature(bridgeUrl: string, request: PossessionRequest): Promise<string> {
  const base = bridgeBase(bridgeUrl);
  if (!request.code.trim()) throw new ApiError(0, 'invalid_pairing_code', 'Type the pairing code that "poc-bridge pair" shows on the hotspot.');
  let response: Response;
  try {
    response = await fetch(`${base}/onboarding/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  } catch (error) {
    throw new ApiError(
      0,
      'bridge_unreachable',
      `cannot reach the hotspot's bridge at ${base} (${(error as Error).message}); it must be reachable from this device and allow this page (poc-bridge run --api-origin ${location.origin})`,
    );
  }
  const body = (await response.json().catch(() => null)) as { error?: string; detail?: string; hotspot?: string; signatureBase64?: string } | null;
  if (!response.ok) throw new ApiError(response.status, body?.error ?? 'bridge_refused', `the hotspot refused to sign: ${body?.detail ?? `${response.status} ${response.statusText}`}`);
  if (body?.hotspot !== request.hotspot) throw new ApiError(409, 'wrong_hotspot', `the bridge at ${base} holds another hotspot than ${request.hotspot}`);
  if (!body.signatureBase64 || fromB64(body.signatureBase64).length !== 64) throw new ApiError(502, 'bad_possession_signature', 'the hotspot answered without a valid signature');
  return body.signatureBase64;
}
