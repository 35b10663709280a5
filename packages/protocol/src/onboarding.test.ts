import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { keypairFromSecret, signBytes, verifyBytes } from './keys';
import { ONBOARDING_DOMAIN, decodeSolanaKey, onboardingMessage } from './onboarding';

describe('onboarding possession message', () => {
  const hotspot = keypairFromSecret(new Uint8Array(32).fill(3));
  const input = {
    programId: new Uint8Array(32).fill(1),
    hotspotKey: hotspot.publicKey,
    owner: new Uint8Array(32).fill(2),
    maker: new Uint8Array(32).fill(4),
  };

  it('is domain ‖ program ‖ hotspot ‖ owner ‖ maker (150 bytes) and verifies with the hotspot key', () => {
    const message = onboardingMessage(input);
    expect(message).toHaveLength(ONBOARDING_DOMAIN.length + 128);
    expect(Buffer.from(message.subarray(0, 22)).toString()).toBe('poc-network:onboard:v1');
    expect(message.subarray(22, 54)).toEqual(input.programId);
    expect(message.subarray(54, 86)).toEqual(hotspot.publicKey);
    expect(message.subarray(86, 118)).toEqual(input.owner);
    expect(message.subarray(118, 150)).toEqual(input.maker);
    const signature = signBytes(hotspot.privateKeyObject, message);
    expect(verifyBytes(hotspot.publicKey, message, signature)).toBe(true);
    expect(verifyBytes(hotspot.publicKey, onboardingMessage({ ...input, owner: input.maker }), signature)).toBe(false);
  });

  it('rejects wrong-length keys and bad base58 with the field name', () => {
    expect(() => onboardingMessage({ ...input, owner: new Uint8Array(31) })).toThrow(/owner must be 32 bytes/);
    expect(decodeSolanaKey('owner', bs58.encode(input.owner))).toEqual(input.owner);
    expect(() => decodeSolanaKey('maker', '0OIl')).toThrow(/maker is not valid base58/);
    expect(() => decodeSolanaKey('maker', bs58.encode(new Uint8Array(5)))).toThrow(/maker must decode to 32 bytes/);
  });
});
