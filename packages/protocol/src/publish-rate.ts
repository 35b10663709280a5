/** A publish budget: up to `burst` publishes at once, refilled at `perSecond`. */
export interface PublishRate {
  burst: number;
  perSecond: number;
}

/** What the network's broker allows one hotspot (per MQTT client id); beyond it the broker disconnects. */
export const HOTSPOT_PUBLISH_RATE: PublishRate = { burst: 200, perSecond: 20 };

/**
 * What a bridge allows itself: below HOTSPOT_PUBLISH_RATE, because the broker also counts the bridge's "online"
 * state, its Last Will and resent reports, and sees arrivals later than the bridge sent them.
 */
export const BRIDGE_PUBLISH_PACE: PublishRate = { burst: 150, perSecond: 15 };

/** A token bucket on a caller-supplied clock (milliseconds), so limits are testable without waiting. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: PublishRate,
    nowMs: number,
  ) {
    this.tokens = rate.burst;
    this.updatedAt = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.updatedAt) {
      this.tokens = Math.min(this.rate.burst, this.tokens + ((nowMs - this.updatedAt) / 1000) * this.rate.perSecond);
      this.updatedAt = nowMs;
    }
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until `take` can succeed (0 = now). */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000);
  }

  /** A full bucket behaves like a new one, so its owner can be forgotten. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.rate.burst;
  }
}
