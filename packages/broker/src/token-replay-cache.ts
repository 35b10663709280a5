/**
 * Login tokens the broker has accepted, kept until they expire, so each is accepted once: a token copied off the
 * wire cannot log in again (and so cannot take over the bridge's session id). Bounded: past `maxEntries` the oldest
 * entry is forgotten (counted in `evicted`); size it to the logins expected within a token's lifetime plus skew.
 */
export class TokenReplayCache {
  /** tokenId → unix second after which the token is refused as expired anyway; insertion order ≈ expiry order. */
  private readonly accepted = new Map<string, number>();
  evicted = 0;

  constructor(private readonly maxEntries = 250_000) {}

  /** Records the token; false when it was accepted before. */
  firstUse(tokenId: string, forgetAfterSeconds: number, nowSeconds: number): boolean {
    this.forgetExpired(nowSeconds);
    if (this.accepted.has(tokenId)) return false;
    this.accepted.set(tokenId, forgetAfterSeconds);
    if (this.accepted.size > this.maxEntries) {
      this.accepted.delete(this.accepted.keys().next().value!);
      this.evicted++;
    }
    return true;
  }

  get size(): number {
    return this.accepted.size;
  }

  private forgetExpired(nowSeconds: number): void {
    for (const [tokenId, forgetAfter] of this.accepted) {
      if (forgetAfter >= nowSeconds) return;
      this.accepted.delete(tokenId);
    }
  }
}
