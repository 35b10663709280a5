/**
 * Deterministic proto3 writer for the few message shapes we sign.
 * Fields must be written in ascending field-number order; proto3 defaults (0, empty bytes)
 * are omitted, which is exactly what prost emits, so our canonical bytes match Helium's.
 */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

export class ProtoWriter {
  private chunks: number[] = [];

  private varint(value: bigint): void {
    let v = value;
    while (v > 0x7fn) {
      this.chunks.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  uint64(field: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`field ${field}: uint64 out of range`);
    if (v !== 0n) {
      this.tag(field, WIRE_VARINT);
      this.varint(v);
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
      this.varint(BigInt.asUintN(64, BigInt(value)));
    }
    return this;
  }

  sint32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`field ${field}: sint32 out of range`);
    if (value !== 0) {
      this.tag(field, WIRE_VARINT);
      this.varint(BigInt(((value << 1) ^ (value >> 31)) >>> 0));
    }
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    if (value.length > 0) {
      this.tag(field, WIRE_LENGTH_DELIMITED);
      this.varint(BigInt(value.length));
      for (const b of value) this.chunks.push(b);
    }
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
