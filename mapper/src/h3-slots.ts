/**
 * Slot numbers of H3 cells, keyed by the cell's 64-bit index held as two 32-bit halves in typed arrays (open
 * addressing, linear probing, a quarter to half full: 24–48 bytes a cell). The coverage index's 1,000,519 benchmark
 * cells take 25 MB with no object per cell, instead of a Map's million strings and entries: a lookup reads one or two cache lines, and the
 * garbage collector has nothing per cell to trace.
 */
export class H3Slots {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** The slot stored for the key at the same position; EMPTY where no key is. */
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.values = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
  }

  get(h3: string): number | undefined {
    if (!parseHalves(h3)) return undefined;
    const hi = parsedHi;
    const lo = parsedLo;
    for (let i = mix(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      const value = this.values[i]!;
      if (value === EMPTY) return undefined;
      if (this.hi[i] === hi && this.lo[i] === lo) return value;
    }
  }

  /** Stores the slot of an H3 cell index (lowercase or uppercase hex, as h3-js writes it); false for any other string. */
  set(h3: string, slot: number): boolean {
    if (!parseHalves(h3) || slot < 0) return false;
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    this.put(parsedHi, parsedLo, slot);
    return true;
  }

  private put(hi: number, lo: number, slot: number): void {
    for (let i = mix(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      if (this.values[i] === EMPTY) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.values[i] = slot;
        this.size++;
        return;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) {
        this.values[i] = slot;
        return;
      }
    }
  }

  private grow(): void {
    const { hi, lo, values } = this;
    const n = values.length * 2;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.values = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== EMPTY) this.put(hi[i]!, lo[i]!, values[i]!);
  }
}

const EMPTY = -1;

// parseHalves' result, in module variables so a lookup allocates nothing.
let parsedHi = 0;
let parsedLo = 0;

/** The index's upper and lower 32 bits from its hex text (up to 16 digits); false when the text is not hex. */
function parseHalves(h3: string): boolean {
  const n = h3.length;
  if (n === 0 || n > 16) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const c = h3.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) return false;
    if (i < n - 8) hi = hi * 16 + digit;
    else lo = lo * 16 + digit;
  }
  parsedHi = hi;
  parsedLo = lo;
  return true;
}

/** Spreads the bits of both halves: a res-9 cell's low 18 bits are all ones (unused finer digits), so they cannot hash alone. */
function mix(hi: number, lo: number): number {
  let h = Math.imul(hi, 0x9e3779b1) ^ lo;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
