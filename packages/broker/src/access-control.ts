import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HOTSPOT_PUBLISH_RATE, REGIONS, type PublishRate, type Region } from '@poc/protocol';
import { createLoginCheck, publishRefusal, subscribeRefusal, type Identity, type LoginRules, type Refusal } from './access-rules';
import { PublishRateLimiter } from './publish-rate-limiter';
import { createRefusalLog, type BrokerRejection, type RefusalLog } from './refusals';

export type { BrokerRejection, RefusalLog } from './refusals';
export { hotspotMayPublish, publishRefusal, readRefusal, sha256Hex, subscribeRefusal, createLoginCheck } from './access-rules';
export type { BrokerRejectionReason, Identity, LoginCheck, LoginOutcome, LoginRules, Refusal, ServiceAccount, ServiceRole } from './access-rules';

export interface BrokerAccessOptions extends LoginRules {
  logger?: Logger;
  /** Registers `mqtt_broker_rejections_total{reason}` and the replay cache's gauges here. */
  metricsRegistry?: Registry;
  /** Where refusals are recorded (the embedded broker shares one with its packet-size guard); made here when absent. */
  refusals?: RefusalLog;
  /**
   * Token bucket per client id on publishes (Last Wills excepted); a publish beyond it disconnects the client,
   * whose reports stay queued on its side. null = unlimited. Defaults: hotspots HOTSPOT_PUBLISH_RATE, services
   * unlimited (operator-configured accounts; a relay carries many hotspots).
   */
  publishRates?: { hotspot?: PublishRate | null; service?: PublishRate | null };
}

export interface BrokerAccessControl {
  hooks: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
  /** Rejections so far, by reason (the packet-size guard's included when it shares the refusal log). */
  counts(): Record<string, number>;
  /** The most recent rejections (at most 1000). */
  recent(): readonly BrokerRejection[];
  identityOf(client: Client): Identity | undefined;
}

/**
 * aedes hooks enforcing who may connect, publish and subscribe, what they may publish (size, retain, rate), and
 * that a login token is used once; every refusal is counted and logged with its reason (refusals.ts).
 */
export function createBrokerAccessControl(options: BrokerAccessOptions): BrokerAccessControl {
  const identities = new WeakMap<Client, Identity>();
  const refusals = options.refusals ?? createRefusalLog({ ...(options.metricsRegistry ? { registry: options.metricsRegistry } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  const nowMs = options.nowMs ?? Date.now;
  const logins = createLoginCheck(options);
  const rates = new PublishRateLimiter();
  const hotspotRate = options.publishRates?.hotspot === undefined ? HOTSPOT_PUBLISH_RATE : options.publishRates.hotspot;
  const serviceRate = options.publishRates?.service ?? null;
  const reject = (clientId: string, refusal: Refusal) => refusals.record({ ...refusal, clientId });
  const authError = (code: 3 | 4 | 5): AuthenticateError =>
    Object.assign(new Error(code === 4 ? 'bad username or password' : code === 5 ? 'not authorized' : 'registry unavailable'), { returnCode: code }) as AuthenticateError;

  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    const clientId = client.id ?? '';
    void logins.login({ username, password, clientId }).then((outcome) => {
      if (!outcome.ok) {
        reject(clientId, outcome.refusal);
        return done(authError(outcome.returnCode), false);
      }
      identities.set(client, outcome.identity);
      done(null, true);
    });
  };

  const authorizePublish: NonNullable<AedesOptions['authorizePublish']> = (client: Client | null, packet: PublishPacket, done) => {
    if (!client) return done(null); // the broker's own messages ($SYS)
    const identity = identities.get(client);
    const clientId = client.id ?? '';
    // aedes closes the connection on an authorization error (MQTT 3.1.1 has no negative PUBACK); a bridge keeps
    // the refused report queued on disk.
    const refusal = publishRefusal(identity, packet.topic, { retain: packet.retain, payloadBytes: Buffer.byteLength(packet.payload) });
    if (refusal) {
      reject(clientId, refusal);
      return done(new Error(refusal.reason === 'publish_denied' ? 'publish not authorized' : refusal.reason));
    }
    // A Last Will is published by the broker after the connection closed (aedes marks the client closed first).
    const rate = identity?.kind === 'hotspot' ? hotspotRate : serviceRate;
    const isWill = (client as { closed?: boolean }).closed === true;
    if (rate && !isWill && !rates.take(clientId, rate, nowMs())) {
      reject(clientId, { reason: 'rate_limited', who: identity ? (identity.kind === 'hotspot' ? identity.address : identity.username) : null, topic: packet.topic, detail: `more than ${rate.burst} publishes at once or ${rate.perSecond}/s` });
      return done(new Error('publish rate exceeded'));
    }
    done(null);
  };

  const authorizeSubscribe: NonNullable<AedesOptions['authorizeSubscribe']> = (client: Client, subscription: Subscription, done) => {
    const refusal = subscribeRefusal(identities.get(client), subscription.topic);
    if (!refusal) return done(null, subscription);
    reject(client.id ?? '', refusal);
    done(null, null); // SUBACK 0x80 for this filter; the connection stays up
  };

  return {
    hooks: { authenticate, authorizePublish, authorizeSubscribe },
    counts: refusals.counts,
    recent: refusals.recent,
    identityOf: (client) => identities.get(client),
  };
}

/** Registry lookup for `resolveHotspot`: onboarded hotspots and their region, cached for `ttlMs`. */
export function hotspotRegistryLookup(
  query: (address: string) => Promise<{ region: string | null } | undefined>,
  ttlMs = 60_000,
): (address: string) => Promise<{ region: Region } | null> {
  const cache = new Map<string, { at: number; value: { region: Region } | null }>();
  return async (address) => {
    const hit = cache.get(address);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const row = await query(address);
    const region = row?.region && (REGIONS as readonly string[]).includes(row.region) ? (row.region as Region) : null;
    const value = region ? { region } : null;
    if (cache.size > 1_000_000) cache.clear();
    cache.set(address, { at: Date.now(), value });
    return value;
  };
}
