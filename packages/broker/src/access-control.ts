import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { HOTSPOT_PUBLISH_RATE, MQTT_TOKEN_CLOCK_SKEW_SECONDS, verifyMqttToken, type MqttTokenRejection, type PublishRate } from '@poc/protocol';
import { ENTROPY_TOPIC, REGIONS, regionSegment, type Region } from '@poc/protocol';
import { checkPublishShape } from './publish-policy';
import { PublishRateLimiter } from './publish-rate-limiter';
import { createRefusalLog, type BrokerRejection, type RefusalLog } from './refusals';
import { TokenReplayCache } from './token-replay-cache';

export type { BrokerRejection, RefusalLog } from './refusals';

/**
 * Non-hotspot clients: the oracle (publishes entropy, reads reports), read-only consumers such as the mapper, and
 * relays — one connection carrying many hotspots' already-signed reports (the simulator's shared pool, an
 * aggregating gateway host). A relay can publish on any hotspot's report topics but cannot forge a report: the
 * oracle checks every signature against the topic's hotspot. It may read entropy only.
 */
export type ServiceRole = 'oracle' | 'reader' | 'relay';

export interface ServiceAccount {
  username: string;
  /** SHA-256 (hex) of the password; the broker never holds service passwords in clear. */
  passwordSha256: string;
  role: ServiceRole;
}

export type Identity = { kind: 'hotspot'; address: string; region: Region } | { kind: 'service'; username: string; role: ServiceRole };

export type BrokerRejectionReason =
  | MqttTokenRejection
  | 'token_replayed'
  | 'bad_service_password'
  | 'unknown_hotspot'
  | 'region_mismatch'
  | 'lookup_failed'
  | 'publish_denied'
  | 'retain_refused'
  | 'payload_too_large'
  | 'rate_limited'
  | 'subscribe_denied'
  | 'packet_too_large'
  | 'malformed_packet';

export interface BrokerAccessOptions {
  services?: ServiceAccount[];
  /**
   * Registry check on CONNECT. Given: only onboarded hotspots connect, in their registered region (a key
   * generator cannot fill the broker with sessions). Absent: any hotspot that proves possession of its key does
   * (open network, dev `npm start`); the oracle still rejects reports from hotspots it does not know.
   */
  resolveHotspot?: (address: string) => Promise<{ region: Region } | null>;
  logger?: Logger;
  /** Registers `mqtt_broker_rejections_total{reason}` here. */
  metricsRegistry?: Registry;
  /** Where refusals are recorded (the embedded broker shares one with its packet-size guard); made here when absent. */
  refusals?: RefusalLog;
  /**
   * Token bucket per client id on publishes (Last Wills excepted); a publish beyond it disconnects the client,
   * whose reports stay queued on its side. null = unlimited. Defaults: hotspots HOTSPOT_PUBLISH_RATE, services
   * unlimited (operator-configured accounts; a relay carries many hotspots).
   */
  publishRates?: { hotspot?: PublishRate | null; service?: PublishRate | null };
  /** Accepted login tokens remembered to refuse replays (default 250 000; see TokenReplayCache). */
  replayCacheSize?: number;
  /** Clock for token expiry and rate limits (ms); tests freeze it. */
  nowMs?: () => number;
}

export interface BrokerAccessControl {
  hooks: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
  /** Rejections so far, by reason (the packet-size guard's included when it shares the refusal log). */
  counts(): Record<string, number>;
  /** The most recent rejections (at most 1000). */
  recent(): readonly BrokerRejection[];
  identityOf(client: Client): Identity | undefined;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function sameSecret(candidate: Buffer | undefined, passwordSha256: string): boolean {
  const expected = Buffer.from(passwordSha256, 'hex');
  const actual = createHash('sha256').update(candidate ?? Buffer.alloc(0)).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const REPORT_LEAVES = new Set(['beacon', 'witness', 'state']);
const REPORT_FILTERS = /^poc\/v1\/(\+|[a-z0-9_]+)\/hotspot\/(\+|[^/]+)\/(beacon|witness|state|\+)$/;
const REGION_SEGMENTS = new Set(REGIONS.map(regionSegment));

/** Any hotspot's own report or state topic, in a known region (what a relay may publish). */
function isHotspotTopic(topic: string): boolean {
  const parts = topic.split('/');
  return parts.length === 6 && parts[0] === 'poc' && parts[1] === 'v1' && REGION_SEGMENTS.has(parts[2]!) && parts[3] === 'hotspot' && parts[4]!.length > 0 && REPORT_LEAVES.has(parts[5]!);
}

/** A hotspot publishes only `poc/v1/<its region>/hotspot/<its address>/{beacon,witness,state}`. */
export function hotspotMayPublish(identity: { address: string; region: Region }, topic: string): boolean {
  const parts = topic.split('/');
  return (
    parts.length === 6 &&
    parts[0] === 'poc' &&
    parts[1] === 'v1' &&
    parts[2] === regionSegment(identity.region) &&
    parts[3] === 'hotspot' &&
    parts[4] === identity.address &&
    REPORT_LEAVES.has(parts[5]!)
  );
}

function serviceMaySubscribe(topic: string): boolean {
  const plain = topic.startsWith('$share/') ? topic.split('/').slice(2).join('/') : topic;
  return plain === ENTROPY_TOPIC || REPORT_FILTERS.test(plain) || plain === 'poc/v1/#';
}

/**
 * aedes hooks enforcing who may connect, publish and subscribe, what they may publish (size, retain, rate), and
 * that a login token is used once; every refusal is counted and logged with its reason (refusals.ts).
 */
export function createBrokerAccessControl(options: BrokerAccessOptions): BrokerAccessControl {
  const identities = new WeakMap<Client, Identity>();
  const services = new Map((options.services ?? []).map((s) => [s.username, s]));
  const refusals = options.refusals ?? createRefusalLog({ ...(options.metricsRegistry ? { registry: options.metricsRegistry } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  const nowMs = options.nowMs ?? Date.now;
  const nowSeconds = () => Math.floor(nowMs() / 1000);
  const replays = new TokenReplayCache(options.replayCacheSize);
  const rates = new PublishRateLimiter();
  const hotspotRate = options.publishRates?.hotspot === undefined ? HOTSPOT_PUBLISH_RATE : options.publishRates.hotspot;
  const serviceRate = options.publishRates?.service ?? null;
  if (options.metricsRegistry) {
    new Gauge({ name: 'mqtt_broker_login_tokens_remembered', help: 'Accepted hotspot login tokens kept to refuse their replay', registers: [options.metricsRegistry], collect() { this.set(replays.size); } });
    new Gauge({ name: 'mqtt_broker_login_tokens_evicted', help: 'Unexpired login tokens forgotten because the replay cache was full (raise replayCacheSize if > 0)', registers: [options.metricsRegistry], collect() { this.set(replays.evicted); } });
  }

  const reject = (r: BrokerRejection & { reason: BrokerRejectionReason }) => refusals.record(r);
  const who = (identity: Identity | undefined) => (identity ? (identity.kind === 'hotspot' ? identity.address : identity.username) : null);
  const authError = (code: 4 | 5): AuthenticateError => Object.assign(new Error(code === 4 ? 'bad username or password' : 'not authorized'), { returnCode: code }) as AuthenticateError;

  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    const clientId = client.id ?? '';
    const service = username === undefined ? undefined : services.get(username);
    if (service) {
      if (!sameSecret(password, service.passwordSha256)) {
        reject({ reason: 'bad_service_password', clientId, who: username ?? null, topic: null, detail: 'service password does not match' });
        return done(authError(4), false);
      }
      identities.set(client, { kind: 'service', username: service.username, role: service.role });
      return done(null, true);
    }
    const now = nowSeconds();
    const token = verifyMqttToken({ username, password, clientId }, { nowSeconds: now });
    if (!token.ok) {
      reject({ reason: token.reason, clientId, who: username ?? null, topic: null, detail: token.detail });
      return done(authError(4), false);
    }
    const claims = token.claims;
    // Recorded before the registry lookup, so two CONNECTs racing with one token cannot both get through.
    if (!replays.firstUse(token.tokenId, claims.exp + MQTT_TOKEN_CLOCK_SKEW_SECONDS, now)) {
      reject({ reason: 'token_replayed', clientId, who: claims.address, topic: null, detail: 'login token already used; a bridge signs a new one for every connect' });
      return done(authError(4), false);
    }
    const accept = (region: Region) => {
      identities.set(client, { kind: 'hotspot', address: claims.address, region });
      done(null, true);
    };
    if (!options.resolveHotspot) return accept(claims.region);
    options.resolveHotspot(claims.address).then(
      (known) => {
        if (!known) {
          reject({ reason: 'unknown_hotspot', clientId, who: claims.address, topic: null, detail: 'not in the hotspot registry' });
          return done(authError(5), false);
        }
        if (known.region !== claims.region) {
          reject({ reason: 'region_mismatch', clientId, who: claims.address, topic: null, detail: `token ${claims.region}, registry ${known.region}` });
          return done(authError(5), false);
        }
        accept(known.region);
      },
      (error: unknown) => {
        reject({ reason: 'lookup_failed', clientId, who: claims.address, topic: null, detail: (error as Error).message });
        done(Object.assign(new Error('registry unavailable'), { returnCode: 3 }) as AuthenticateError, false);
      },
    );
  };

  const authorizePublish: NonNullable<AedesOptions['authorizePublish']> = (client: Client | null, packet: PublishPacket, done) => {
    if (!client) return done(null); // the broker's own messages ($SYS)
    const identity = identities.get(client);
    const allowed =
      identity?.kind === 'hotspot'
        ? hotspotMayPublish(identity, packet.topic)
        : identity?.kind === 'service' && identity.role === 'oracle'
          ? packet.topic === ENTROPY_TOPIC
          : identity?.kind === 'service' && identity.role === 'relay'
            ? isHotspotTopic(packet.topic)
            : false;
    const clientId = client.id ?? '';
    // aedes closes the connection on an authorization error (MQTT 3.1.1 has no negative PUBACK); a bridge keeps
    // the refused report queued on disk.
    if (!allowed) {
      reject({ reason: 'publish_denied', clientId, who: who(identity), topic: packet.topic, detail: `${identity?.kind === 'service' ? identity.role : (identity?.kind ?? 'anonymous')} may not publish here` });
      return done(new Error('publish not authorized'));
    }
    const shape = checkPublishShape(packet.topic, Buffer.byteLength(packet.payload), packet.retain);
    if (shape) {
      reject({ reason: shape.reason, clientId, who: who(identity), topic: packet.topic, detail: shape.detail });
      return done(new Error(shape.reason));
    }
    // A Last Will is published by the broker after the connection closed (aedes marks the client closed first).
    const rate = identity?.kind === 'hotspot' ? hotspotRate : serviceRate;
    const isWill = (client as { closed?: boolean }).closed === true;
    if (rate && !isWill && !rates.take(clientId, rate, nowMs())) {
      reject({ reason: 'rate_limited', clientId, who: who(identity), topic: packet.topic, detail: `more than ${rate.burst} publishes at once or ${rate.perSecond}/s` });
      return done(new Error('publish rate exceeded'));
    }
    done(null);
  };

  const authorizeSubscribe: NonNullable<AedesOptions['authorizeSubscribe']> = (client: Client, subscription: Subscription, done) => {
    const identity = identities.get(client);
    const allowed =
      identity?.kind === 'hotspot' || (identity?.kind === 'service' && identity.role === 'relay')
        ? subscription.topic === ENTROPY_TOPIC
        : identity?.kind === 'service'
          ? serviceMaySubscribe(subscription.topic)
          : false;
    if (allowed) return done(null, subscription);
    reject({ reason: 'subscribe_denied', clientId: client.id ?? '', who: who(identity), topic: subscription.topic, detail: `${identity?.kind ?? 'anonymous'} may only subscribe to ${identity?.kind === 'hotspot' ? ENTROPY_TOPIC : 'poc/v1 report and entropy topics'}` });
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
