import { timingSafeEqual } from 'node:crypto';
import { aesCmac } from './aes-cmac';

/**
 * The uplink a mapper device sends (SPEC.md §Mapper frames): a LoRaWAN "proprietary" PHY payload (MHDR MType 111)
 * with a one-byte format tag, so a gateway bridge can tell it from LoRaWAN data frames and PoC beacons by its first
 * two bytes, authenticated like a LoRaWAN 1.0 data frame: a 4-byte AES-CMAC MIC under the device's 128-bit key.
 */
export const MAPPER_FRAME_MHDR = 0xe0;
export const MAPPER_FRAME_TAG = 0x4d;
export const MAPPER_FRAME_BYTES = 22;
export const MAPPER_DEVICE_KEY_BYTES = 16;
const MIC_OFFSET = 18;
/** Degrees × 10⁷ (≈ 1.1 cm at the equator), the unit GNSS receivers report in. */
export const MAPPER_COORDINATE_SCALE = 1e7;
/** hdop byte value meaning "no HDOP from the receiver" (also any HDOP ≥ 25.5). */
export const MAPPER_HDOP_UNKNOWN = 255;

export interface MapperFix {
  /** Registered 32-bit device id (the frame's DevAddr). */
  deviceId: number;
  /** Full 32-bit frame counter; the frame carries its low 16 bits, as LoRaWAN's FCnt. */
  counter: number;
  /** Degrees × 10⁷. */
  latE7: number;
  lngE7: number;
  /** Horizontal dilution of precision × 10, 0–254, or MAPPER_HDOP_UNKNOWN. */
  hdopDeci: number;
  satellites: number;
}

export interface ParsedMapperFrame {
  deviceId: number;
  counterLow16: number;
  latE7: number;
  lngE7: number;
  hdopDeci: number;
  satellites: number;
  mic: Uint8Array;
}

/** LoRaWAN 1.0 B0 block (uplink): 0x49, 4 zero bytes, dir 0, DevAddr, 32-bit FCnt, 0x00, message length. */
function b0Block(deviceId: number, counter: number, messageLength: number): Buffer {
  const b0 = Buffer.alloc(16);
  b0[0] = 0x49;
  b0.writeUInt32LE(deviceId >>> 0, 6);
  b0.writeUInt32LE(counter >>> 0, 10);
  b0[15] = messageLength;
  return b0;
}

function frameMic(key: Uint8Array, body: Uint8Array, deviceId: number, counter: number): Uint8Array {
  return aesCmac(key, Buffer.concat([b0Block(deviceId, counter, body.length), body])).subarray(0, 4);
}

const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;

export function encodeMapperFrame(fix: MapperFix, deviceKey: Uint8Array): Uint8Array {
  if (!isU32(fix.deviceId) || !isU32(fix.counter)) throw new RangeError('deviceId and counter must be u32');
  if (!Number.isInteger(fix.latE7) || Math.abs(fix.latE7) > 90 * MAPPER_COORDINATE_SCALE) throw new RangeError('latitude out of range');
  if (!Number.isInteger(fix.lngE7) || Math.abs(fix.lngE7) > 180 * MAPPER_COORDINATE_SCALE) throw new RangeError('longitude out of range');
  if (!Number.isInteger(fix.hdopDeci) || fix.hdopDeci < 0 || fix.hdopDeci > 255) throw new RangeError('hdopDeci must be 0–255');
  if (!Number.isInteger(fix.satellites) || fix.satellites < 0 || fix.satellites > 255) throw new RangeError('satellites must be 0–255');
  const frame = Buffer.alloc(MAPPER_FRAME_BYTES);
  frame[0] = MAPPER_FRAME_MHDR;
  frame[1] = MAPPER_FRAME_TAG;
  frame.writeUInt32LE(fix.deviceId, 2);
  frame.writeUInt16LE(fix.counter & 0xffff, 6);
  frame.writeInt32LE(fix.latE7, 8);
  frame.writeInt32LE(fix.lngE7, 12);
  frame[16] = fix.hdopDeci;
  frame[17] = fix.satellites;
  frame.set(frameMic(deviceKey, frame.subarray(0, MIC_OFFSET), fix.deviceId, fix.counter), MIC_OFFSET);
  return new Uint8Array(frame);
}

/** True when a received PHY payload has the mapper frame's shape (what a bridge looks for in the rxpk stream). */
export function isMapperFrame(payload: Uint8Array): boolean {
  return payload.length === MAPPER_FRAME_BYTES && payload[0] === MAPPER_FRAME_MHDR && payload[1] === MAPPER_FRAME_TAG;
}

/** Reads the fields of a mapper frame without authenticating it; null when the bytes are not one. */
export function parseMapperFrame(payload: Uint8Array): ParsedMapperFrame | null {
  if (!isMapperFrame(payload)) return null;
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const latE7 = b.readInt32LE(8);
  const lngE7 = b.readInt32LE(12);
  if (Math.abs(latE7) > 90 * MAPPER_COORDINATE_SCALE || Math.abs(lngE7) > 180 * MAPPER_COORDINATE_SCALE) return null;
  return {
    deviceId: b.readUInt32LE(2),
    counterLow16: b.readUInt16LE(6),
    latE7,
    lngE7,
    hdopDeci: b[16]!,
    satellites: b[17]!,
    mic: new Uint8Array(b.subarray(MIC_OFFSET)),
  };
}

/** Does the frame's MIC verify under `deviceKey` for the full counter `counter` (whose low 16 bits the frame carries)? */
export function verifyMapperFrameMic(payload: Uint8Array, deviceKey: Uint8Array, counter: number): boolean {
  const parsed = parseMapperFrame(payload);
  if (!parsed || deviceKey.length !== MAPPER_DEVICE_KEY_BYTES || !isU32(counter) || (counter & 0xffff) !== parsed.counterLow16) return false;
  const expected = frameMic(deviceKey, payload.subarray(0, MIC_OFFSET), parsed.deviceId, counter);
  return timingSafeEqual(expected, parsed.mic);
}

/**
 * The full counter a 16-bit on-air counter stands for, given the last accepted one (LoRaWAN's rule): the smallest
 * value above `last` with those low bits. With no earlier frame, the low bits themselves.
 */
export function nextMapperCounter(last: number | null, low16: number): number {
  if (last === null) return low16;
  const candidate = (Math.floor(last / 0x10000) * 0x10000) + low16;
  return candidate > last ? candidate : candidate + 0x10000;
}

/** The same low bits at or below `last`: the counter a replayed or re-ordered frame would carry. */
export function previousMapperCounter(last: number, low16: number): number | null {
  const candidate = (Math.floor(last / 0x10000) * 0x10000) + low16;
  const value = candidate <= last ? candidate : candidate - 0x10000;
  return value >= 0 ? value : null;
}
