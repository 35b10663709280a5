import { chacha12 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Datarate } from './datarate';
import { beaconDatarate, type RegionParams } from './regions';

export const BEACON_PAYLOAD_SIZE = 51;
export const LOCAL_ENTROPY_SIZE = 4;
/** LoRaWAN MHDR for a proprietary frame; beacons go on air as MHDR ‖ payload with no MIC. */
export const PROPRIETARY_MHDR = 0xe0;

export interface BeaconEntropyInput {
  remoteEntropy: Uint8Array;
  /** Timestamp of the network entropy, Unix seconds. */
  remoteEntropyTimestamp: bigint;
  localEntropy: Uint8Array;
}

export interface GeneratedBeacon {
  data: Uint8Array;
  frequency: number;
  channel: number;
  datarate: Datarate;
}

function i64le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value, true);
  return out;
}

export function beaconSeed({ remoteEntropy, remoteEntropyTimestamp, localEntropy }: BeaconEntropyInput): Uint8Array {
  if (localEntropy.length !== LOCAL_ENTROPY_SIZE) throw new Error(`local entropy must be ${LOCAL_ENTROPY_SIZE} bytes`);
  const parts = [remoteEntropy, i64le(remoteEntropyTimestamp), localEntropy, i64le(0n)];
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return sha256(joined);
}

/**
 * The beacon payload exactly as Helium's beacon crate makes it: a ChaCha12 RNG keyed by the seed
 * yields u32 words, and each payload byte is the low byte of one word (rand's Standard u8).
 */
export function beaconPayload(entropy: BeaconEntropyInput): Uint8Array {
  const keystream = chacha12(beaconSeed(entropy), new Uint8Array(12), new Uint8Array(BEACON_PAYLOAD_SIZE * 4));
  const data = new Uint8Array(BEACON_PAYLOAD_SIZE);
  for (let i = 0; i < BEACON_PAYLOAD_SIZE; i++) data[i] = keystream[i * 4]!;
  return data;
}

export function generateBeacon(entropy: BeaconEntropyInput, params: RegionParams): GeneratedBeacon {
  const data = beaconPayload(entropy);
  const channel = (data[0]! | (data[1]! << 8)) % params.channelFrequencies.length;
  return { data, channel, frequency: params.channelFrequencies[channel]!, datarate: beaconDatarate(params, BEACON_PAYLOAD_SIZE, BEACON_PAYLOAD_SIZE + 1) };
}

/** Over-the-air frame: proprietary MHDR followed by the payload. */
export function beaconFrame(data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(data.length + 1);
  frame[0] = PROPRIETARY_MHDR;
  frame.set(data, 1);
  return frame;
}

/** Returns the beacon payload if `frame` looks like a PoC beacon (proprietary MHDR, 52 bytes), else null. */
export function beaconPayloadFromFrame(frame: Uint8Array): Uint8Array | null {
  if (frame.length !== BEACON_PAYLOAD_SIZE + 1 || frame[0] !== PROPRIETARY_MHDR) return null;
  return frame.slice(1);
}
