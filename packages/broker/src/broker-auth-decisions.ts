import { Gauge } from 'prom-client';
import { createLoginCheck, publishRefusal, readRefusal, subscribeRefusal, type BrokerRejectionReason, type Identity, type Refusal } from './access-rules';
import type { BrokerAccessOptions } from './access-control';
import { LoginSessions } from './login-sessions';
import { createRefusalLog, type BrokerRejection } from './refusals';
import type { TokenReplayCache } from './token-replay-cache';

/** What a broker asks of a topic: mosquitto-go-auth's acc 1 read, 2 write, 3 readwrite, 4 subscribe; EMQX's publish / subscribe. */
export type AclAccess = 'read' | 'write' | 'readwrite' | 'subscribe';

/** `unavailable`: the registry could not be asked, so the answer is "try later", not "never". */
export type AuthDecision = { allow: true } | { allow: false; reason: BrokerRejectionReason; detail: string; unavailable: boolean };

export interface BrokerAuthDecisions {
  user(credentials: { username: string; password: string; clientId: string }): Promise<AuthDecision>;
  acl(question: { username: string; clientId: string; topic: string; access: AclAccess; retain?: boolean }): Promise<AuthDecision>;
  /** Who is behind a username and client id, as `acl` finds it (a service, a hotspot's login or registry entry, or nobody). */
  identify(username: string, clientId: string): Promise<Identity | undefined | { lookupFailed: string }>;
  /** Records a refusal a broker-specific rule made (RabbitMQ resources), counted and logged like the others. */
  refuse(clientId: string, refusal: Refusal, unavailable?: boolean): AuthDecision;
  /** Records a request that is not what a broker sends (counted as `malformed_request`, logged once per peer). */
  malformed(peer: string, detail: string): void;
  counts(): Record<string, number>;
  recent(): readonly BrokerRejection[];
  readonly sessions: LoginSessions;
  readonly replays: TokenReplayCache;
}

export interface BrokerAuthDecisionOptions {
  /** Logins remembered by client id for later ACL questions (default 250 000; see LoginSessions). */
  maxSessions?: number;
}

/**
 * The embedded broker's rules (access-rules.ts) answered one question at a time, as an external broker asks them:
 * a login, then ACL questions naming only the username and client id. The identity behind an ACL question is the
 * one that logged in under that client id; a service is known by its username; a hotspot whose login this process
 * did not see (restart, eviction, another replica) is looked up in the registry when one is configured, else it is
 * refused like an anonymous client. Publish rate limits and payload sizes are the broker's own (it knows the payload).
 */
export function createBrokerAuthDecisions(access: BrokerAccessOptions, options: BrokerAuthDecisionOptions = {}): BrokerAuthDecisions {
  const refusals = access.refusals ?? createRefusalLog({ ...(access.metricsRegistry ? { registry: access.metricsRegistry } : {}), ...(access.logger ? { logger: access.logger } : {}) });
  const logins = createLoginCheck(access);
  const sessions = new LoginSessions(options.maxSessions);
  if (access.metricsRegistry) {
    new Gauge({ name: 'mqtt_auth_sessions', help: 'Client ids whose login the HTTP auth service answered, kept for ACL questions', registers: [access.metricsRegistry], collect() { this.set(sessions.size); } });
  }
  const refuse = (clientId: string, refusal: Refusal, unavailable = false): AuthDecision => {
    refusals.record({ ...refusal, clientId });
    return { allow: false, reason: refusal.reason, detail: refusal.detail, unavailable };
  };

  async function identityFor(username: string, clientId: string): Promise<Identity | undefined | { lookupFailed: string }> {
    const service = logins.service(username);
    if (service) return { kind: 'service', username: service.username, role: service.role };
    const session = sessions.get(clientId);
    if (session?.kind === 'hotspot' && session.address === username) return session;
    if (!access.resolveHotspot || username === '') return undefined;
    try {
      const known = await access.resolveHotspot(username);
      return known ? { kind: 'hotspot', address: username, region: known.region } : undefined;
    } catch (error) {
      return { lookupFailed: (error as Error).message };
    }
  }

  return {
    async user({ username, password, clientId }) {
      const outcome = await logins.login({ username, password, clientId });
      if (!outcome.ok) return refuse(clientId, outcome.refusal, outcome.returnCode === 3);
      if (outcome.identity.kind === 'hotspot') sessions.remember(clientId, outcome.identity);
      return { allow: true };
    },
    async acl({ username, clientId, topic, access: wanted, retain }) {
      const identity = await identityFor(username, clientId);
      if (identity && 'lookupFailed' in identity) return refuse(clientId, { reason: 'lookup_failed', who: username, topic, detail: identity.lookupFailed }, true);
      const write = () => publishRefusal(identity, topic, { retain: retain ?? false });
      const refusal =
        wanted === 'write' ? write() : wanted === 'subscribe' ? subscribeRefusal(identity, topic) : wanted === 'read' ? readRefusal(identity, topic) : (write() ?? readRefusal(identity, topic));
      return refusal ? refuse(clientId, refusal) : { allow: true };
    },
    identify: identityFor,
    refuse,
    malformed(peer, detail) {
      refusals.record({ reason: 'malformed_request', clientId: '', who: peer, topic: null, detail });
    },
    counts: refusals.counts,
    recent: refusals.recent,
    sessions,
    replays: logins.replays,
  };
}
