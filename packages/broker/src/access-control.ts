import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { verifyMqttToken, type MqttTokenRejection } from '@poc/protocol';
import { ENTROPY_TOPIC, REGIONS, regionSegment, type Region } from '@poc/protocol';

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
  | 'bad_service_password'
  | 'unknown_hotspot'
  | 'region_mismatch'
  | 'lookup_failed'
  | 'publish_denied'
  | 'subscribe_denied';

export interface BrokerRejection {
  reason: BrokerRejectionReason;
  clientId: string;
  /** Username or hotspot address; never a password or token. */
  who: string | null;
  topic: string | null;
  detail: string;
}

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
  nowSeconds?: () => number;
}

export interface BrokerAccessControl {
  hooks: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
  /** Rejections so far, by reason. */
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

/** aedes hooks enforcing who may connect, publish and subscribe; every refusal is counted and logged with its reason. */
export function createBrokerAccessControl(options: BrokerAccessOptions): BrokerAccessControl {
  const identities = new WeakMap<Client, Identity>();
  const services = new Map((options.services ?? []).map((s) => [s.username, s]));
  const tally = new Map<string, number>();
  const recentRejections: BrokerRejection[] = [];
  const counter = options.metricsRegistry
    ? new Counter({ name: 'mqtt_broker_rejections_total', help: 'MQTT connects, publishes and subscribes refused by the broker, by reason', labelNames: ['reason'], registers: [options.metricsRegistry] })
    : null;
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  const reject = (r: BrokerRejection) => {
    tally.set(r.reason, (tally.get(r.reason) ?? 0) + 1);
    counter?.inc({ reason: r.reason });
    recentRejections.push(r);
    if (recentRejections.length > 1000) recentRejections.shift();
    options.logger?.warn({ reason: r.reason, clientId: r.clientId.slice(0, 200), who: r.who?.slice(0, 200), topic: r.topic?.slice(0, 300), detail: r.detail }, 'MQTT access refused');
  };
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
    const token = verifyMqttToken({ username, password, clientId }, { nowSeconds: now() });
    if (!token.ok) {
      reject({ reason: token.reason, clientId, who: username ?? null, topic: null, detail: token.detail });
      return done(authError(4), false);
    }
    const claims = token.claims;
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
    if (allowed) return done(null);
    reject({ reason: 'publish_denied', clientId: client.id ?? '', who: who(identity), topic: packet.topic, detail: `${identity?.kind === 'service' ? identity.role : (identity?.kind ?? 'anonymous')} may not publish here` });
    // aedes closes the connection on an authorization error (MQTT 3.1.1 has no negative PUBACK).
    done(new Error('publish not authorized'));
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
    counts: () => Object.fromEntries(tally),
    recent: () => recentRejections,
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
