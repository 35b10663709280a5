/**
 * Deterministic proto3 writer for the few message shapes we sign.
 * Fields must be written in ascending field-number order; proto3 defaults (0, empty bytes)
 * are omitted, which is exactly what prost emits, so our canonical bytes match Helium's.
 */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

export class ProtoWriter {
  private chunks: number[] = [];

  // Varints from 32-bit halves with number arithmetic: the oracle writes canonical bytes for every report it ingests,
  // and BigInt shifts per byte cost more than the rest of the encoding.
  private varint32(value: number): void {
    let v = value >>> 0;
    while (v > 0x7f) {
      this.chunks.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.chunks.push(v);
  }

  private varint64(low: number, high: number): void {
    let lo = low >>> 0;
    let hi = high >>> 0;
    while (hi !== 0) {
      this.chunks.push((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.varint32(lo);
  }

  private tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  uint64(field: number, value: bigint | number): this {
    let low: number;
    let high: number;
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      if (value < 0) throw new RangeError(`field ${field}: uint64 out of range`);
      low = value % 0x1_0000_0000;
      high = Math.floor(value / 0x1_0000_0000);
    } else {
      const v = BigInt(value);
      if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`field ${field}: uint64 out of range`);
      low = Number(v & 0xffff_ffffn);
      high = Number(v >> 32n);
    }
    if (low !== 0 || high !== 0) {
      this.tag(field, WIRE_VARINT);
      this.varint64(low, high);
    }
    return this;
  }

  uint32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`field ${field}: uint32 out of range`);
    return this.uint64(field, value);
  }

  /** int32/enum: negative values are sign-extended to 10 bytes, as protobuf requires. */
  int32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`field ${field}: int32 out of range`);
    if (value !== 0) {
      this.tag(field, WIRE_VARINT);
      this.varint64(value, value < 0 ? 0xffff_ffff : 0);
    }
    return this;
  }

  sint32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`field ${field}: sint32 out of range`);
    if (value !== 0) {
      this.tag(field, WIRE_VARINT);
      this.varint32((value << 1) ^ (value >> 31));
    }
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    if (value.length > 0) {
      this.tag(field, WIRE_LENGTH_DELIMITED);
      this.varint32(value.length);
      for (const b of value) this.chunks.push(b);
    }
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
