/**
 * Remembers the last N beacon payloads seen (received or sent), like gateway-rs's 15-entry cache:
 * a repeat is a duplicate reception, and our own beacon heard back is not witnessed.
 */
export class LastSeenCache {
  private readonly keys: string[] = [];

  constructor(private readonly capacity = 15) {}

  has(data: Uint8Array): boolean {
    return this.keys.includes(Buffer.from(data).toString('base64'));
  }

  /** Adds `data`; returns false if it was already there. */
  add(data: Uint8Array): boolean {
    const key = Buffer.from(data).toString('base64');
    if (this.keys.includes(key)) return false;
    this.keys.push(key);
    if (this.keys.length > this.capacity) this.keys.shift();
    return true;
  }
}
