import { TokenBucket, type PublishRate } from '@poc/protocol';

/**
 * One token bucket per MQTT client id, so reconnecting does not refill it. Buckets are kept in least-recently-used
 * order; each call forgets up to two of the oldest if they have refilled (a full bucket is the same as a new one),
 * which keeps the map to the clients publishing within the last `burst / perSecond` seconds. `maxClients` is a hard cap.
 */
export class PublishRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly maxClients = 1_000_000) {}

  take(clientId: string, rate: PublishRate, nowMs: number): boolean {
    const bucket = this.buckets.get(clientId) ?? new TokenBucket(rate, nowMs);
    this.buckets.delete(clientId);
    this.buckets.set(clientId, bucket);
    const allowed = bucket.take(nowMs);
    this.forgetIdle(nowMs);
    return allowed;
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(nowMs: number): void {
    for (let n = 0; n < 2; n++) {
      const oldest = this.buckets.entries().next().value;
      if (!oldest) return;
      if (!oldest[1].isFull(nowMs) && this.buckets.size <= this.maxClients) return;
      this.buckets.delete(oldest[0]);
    }
  }
}
