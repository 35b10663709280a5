import type { Identity } from './access-rules';

/**
 * Who logged in under which client id, as an HTTP auth service learns it: the broker asks /mqtt/user at CONNECT and
 * later asks /mqtt/acl with only the username and client id, so the identity (a hotspot's region from its token or
 * the registry) is kept here in between. Least recently used first; past `maxEntries` the oldest is forgotten
 * (counted in `evicted`) and its ACL questions fall back to the registry.
 */
export class LoginSessions {
  private readonly byClientId = new Map<string, Identity>();
  evicted = 0;

  constructor(private readonly maxEntries = 250_000) {}

  /** A login succeeded: a newer login under the same client id replaces the older one, as the broker's session does. */
  remember(clientId: string, identity: Identity): void {
    this.byClientId.delete(clientId);
    this.byClientId.set(clientId, identity);
    if (this.byClientId.size > this.maxEntries) {
      this.byClientId.delete(this.byClientId.keys().next().value!);
      this.evicted++;
    }
  }

  get(clientId: string): Identity | undefined {
    const identity = this.byClientId.get(clientId);
    if (identity) {
      this.byClientId.delete(clientId);
      this.byClientId.set(clientId, identity);
    }
    return identity;
  }

  get size(): number {
    return this.byClientId.size;
  }
}
