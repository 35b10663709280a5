import bs58 from 'bs58';

/** Domain tag of the hotspot possession proof (SPEC.md §Possession proof). */
export const ONBOARDING_DOMAIN = 'poc-network:onboard:v1';

export interface OnboardingMessageInput {
  /** Solana program id, 32 bytes. */
  programId: Uint8Array;
  /** Raw 32-byte Ed25519 hotspot public key. */
  hotspotKey: Uint8Array;
  /** Owner wallet, 32 bytes. */
  owner: Uint8Array;
  /** Maker authority public key (the key that signs for the maker, not the Maker PDA), 32 bytes. */
  maker: Uint8Array;
}

/**
 * The message a hotspot signs to prove possession when it is onboarded:
 * utf8("poc-network:onboard:v1") ‖ program_id ‖ hotspot_key ‖ owner ‖ maker, checked on chain by the Ed25519 precompile.
 */
export function onboardingMessage({ programId, hotspotKey, owner, maker }: OnboardingMessageInput): Uint8Array {
  const domain = Buffer.from(ONBOARDING_DOMAIN, 'utf8');
  for (const [name, key] of Object.entries({ programId, hotspotKey, owner, maker })) {
    if (key.length !== 32) throw new Error(`${name} must be 32 bytes, got ${key.length}`);
  }
  return new Uint8Array(Buffer.concat([domain, programId, hotspotKey, owner, maker]));
}

/** Decodes a base58 Solana public key (32 bytes) or throws with a reason naming the field. */
export function decodeSolanaKey(field: string, value: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(value);
  } catch {
    throw new Error(`${field} is not valid base58`);
  }
  if (bytes.length !== 32) throw new Error(`${field} must decode to 32 bytes, got ${bytes.length}`);
  return bytes;
}
