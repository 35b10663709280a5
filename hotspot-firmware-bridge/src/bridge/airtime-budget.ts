/**
 * Rolling transmit duty-cycle budget for one radio. ETSI EN 300 220 measures duty cycle over an observation window
 * of one hour, so a plan with a limit of `permille` ‰ may spend at most permille/1000 of any hour on air. The budget
 * is per region, not per sub-band: every beacon the radio sends counts against the plan's strictest band limit
 * (the one REGION_PARAMS names), which is never less strict than per-sub-band accounting (README §Beacon airtime).
 */
export const DUTY_CYCLE_WINDOW_MS = 3_600_000;

export class AirtimeBudget {
  /** Transmissions still inside the window, oldest first. */
  private readonly sent: { atMs: number; airtimeMs: number }[] = [];

  constructor(
    /** null: the plan sets no duty cycle and every transmission is allowed. */
    readonly permille: number | null,
    readonly windowMs = DUTY_CYCLE_WINDOW_MS,
  ) {
    if (permille !== null && !(permille > 0 && permille <= 1000)) throw new RangeError(`duty cycle ${permille} ‰ is not in (0, 1000]`);
  }

  /** Airtime a window may hold, in ms (Infinity without a limit). */
  get limitMs(): number {
    return this.permille === null ? Infinity : (this.windowMs * this.permille) / 1000;
  }

  /** Airtime spent in the window ending at `nowMs`. */
  usedMs(nowMs: number): number {
    this.prune(nowMs);
    return this.sent.reduce((sum, t) => sum + t.airtimeMs, 0);
  }

  /** Whether sending `airtimeMs` now keeps the window within the limit. */
  allows(nowMs: number, airtimeMs: number): boolean {
    return this.permille === null || this.usedMs(nowMs) + airtimeMs <= this.limitMs;
  }

  /** The earliest time a transmission of `airtimeMs` fits (now if it fits now; Infinity if it never can). */
  availableAtMs(nowMs: number, airtimeMs: number): number {
    if (this.allows(nowMs, airtimeMs)) return nowMs;
    if (airtimeMs > this.limitMs) return Infinity;
    let used = this.usedMs(nowMs);
    for (const t of this.sent) {
      used -= t.airtimeMs;
      if (used + airtimeMs <= this.limitMs) return t.atMs + this.windowMs;
    }
    return nowMs;
  }

  /** Counts a transmission that went on air. Without a limit nothing is kept. */
  record(nowMs: number, airtimeMs: number): void {
    if (this.permille === null) return;
    this.sent.push({ atMs: nowMs, airtimeMs });
    this.prune(nowMs);
  }

  private prune(nowMs: number): void {
    while (this.sent.length > 0 && this.sent[0]!.atMs + this.windowMs <= nowMs) this.sent.shift();
  }
}
