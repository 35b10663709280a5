import { createHash, timingSafeEqual } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import { ENTROPY_TOPIC, MAPPER_RECEIPT_LEAF, MQTT_TOKEN_CLOCK_SKEW_SECONDS, REGIONS, regionSegment, verifyMqttToken, type MqttTokenRejection, type Region } from '@poc/protocol';
import { checkPublishShape } from './publish-policy';
import { TokenReplayCache } from './token-replay-cache';

/**
 * The broker's rules — who may log in, publish, subscribe and read — as plain decisions, with no MQTT library in
 * sight. The embedded aedes broker (access-control.ts) and the HTTP auth service for mosquitto-go-auth / EMQX
 * (http-auth.ts) both call these, so a production broker answers exactly as the embedded one.
 */

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
  /** HTTP auth service only: a broker asked whether a client may receive a message on a topic (go-auth acc 1). */
  | 'read_denied'
  /** RabbitMQ auth routes only: a vhost, exchange or queue the client may not use. */
  | 'resource_denied'
  /** HTTP auth service only: a request body that is not what a broker sends. */
  | 'malformed_request'
  | 'packet_too_large'
  | 'malformed_packet';

/** A refusal before the caller adds the client id it happened on. */
export interface Refusal {
  reason: BrokerRejectionReason;
  /** Username or hotspot address; never a password or token. */
  who: string | null;
  topic: string | null;
  detail: string;
}

/** MQTT 3.1.1 CONNACK codes a refused login maps to: 3 server unavailable, 4 bad username or password, 5 not authorized. */
export type LoginOutcome = { ok: true; identity: Identity } | { ok: false; refusal: Refusal; returnCode: 3 | 4 | 5 };

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function sameSecret(candidate: Buffer | string | undefined, passwordSha256: string): boolean {
  const expected = Buffer.from(passwordSha256, 'hex');
  const actual = createHash('sha256').update(candidate ?? Buffer.alloc(0)).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `mapper`: signed receipts of mapper-device uplinks (@poc/protocol MAPPER_RECEIPT_LEAF), same rules as reports. */
const REPORT_LEAVES = new Set(['beacon', 'witness', 'state', MAPPER_RECEIPT_LEAF]);
const REPORT_FILTERS = /^poc\/v1\/(\+|[a-z0-9_]+)\/hotspot\/(\+|[^/]+)\/(beacon|witness|state|mapper|\+)$/;
const REGION_SEGMENTS = new Set(REGIONS.map(regionSegment));

/** Any hotspot's own report or state topic, in a known region (what a relay may publish). */
function isHotspotTopic(topic: string): boolean {
  const parts = topic.split('/');
  return parts.length === 6 && parts[0] === 'poc' && parts[1] === 'v1' && REGION_SEGMENTS.has(parts[2]!) && parts[3] === 'hotspot' && parts[4]!.length > 0 && REPORT_LEAVES.has(parts[5]!);
}

/** A hotspot publishes only `poc/v1/<its region>/hotspot/<its address>/{beacon,witness,state,mapper}`. */
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

/** Report, state and entropy filters, plain or as `$share/<group>/<filter>`. */
function serviceMaySubscribe(topic: string): boolean {
  const plain = topic.startsWith('$share/') ? topic.split('/').slice(2).join('/') : topic;
  return plain === ENTROPY_TOPIC || REPORT_FILTERS.test(plain) || plain === 'poc/v1/#';
}

const whoIs = (identity: Identity | undefined) => (identity ? (identity.kind === 'hotspot' ? identity.address : identity.username) : null);
const roleOf = (identity: Identity | undefined) => (identity?.kind === 'service' ? identity.role : (identity?.kind ?? 'anonymous'));

/**
 * May `identity` publish on `topic`: the topic ACL, then the retain and payload rules (publish-policy.ts). A broker
 * that cannot tell the payload size (an HTTP ACL request) leaves `payloadBytes` out and enforces sizes itself.
 */
export function publishRefusal(identity: Identity | undefined, topic: string, message: { retain: boolean; payloadBytes?: number }): Refusal | null {
  const allowed =
    identity?.kind === 'hotspot'
      ? hotspotMayPublish(identity, topic)
      : identity?.kind === 'service' && identity.role === 'oracle'
        ? topic === ENTROPY_TOPIC
        : identity?.kind === 'service' && identity.role === 'relay'
          ? isHotspotTopic(topic)
          : false;
  if (!allowed) return { reason: 'publish_denied', who: whoIs(identity), topic, detail: `${roleOf(identity)} may not publish here` };
  const shape = checkPublishShape(topic, message.payloadBytes ?? 0, message.retain);
  return shape ? { reason: shape.reason, who: whoIs(identity), topic, detail: shape.detail } : null;
}

/** Hotspots and relays subscribe to entropy only; the oracle and readers to report, state and entropy filters. */
function mayReceive(identity: Identity | undefined, topic: string): boolean {
  return identity?.kind === 'hotspot' || (identity?.kind === 'service' && identity.role === 'relay')
    ? topic === ENTROPY_TOPIC
    : identity?.kind === 'service'
      ? serviceMaySubscribe(topic)
      : false;
}

export function subscribeRefusal(identity: Identity | undefined, filter: string): Refusal | null {
  if (mayReceive(identity, filter)) return null;
  return {
    reason: 'subscribe_denied',
    who: whoIs(identity),
    topic: filter,
    detail: `${identity?.kind ?? 'anonymous'} may only subscribe to ${identity?.kind === 'hotspot' ? ENTROPY_TOPIC : 'poc/v1 report and entropy topics'}`,
  };
}

/**
 * May `identity` receive a message published on `topic` (mosquitto asks this per delivered message): exactly what it
 * may subscribe to, since a topic is also a filter matching only itself.
 */
export function readRefusal(identity: Identity | undefined, topic: string): Refusal | null {
  if (mayReceive(identity, topic)) return null;
  return { reason: 'read_denied', who: whoIs(identity), topic, detail: `${roleOf(identity)} may not receive messages on this topic` };
}

export interface LoginRules {
  services?: ServiceAccount[];
  /**
   * Registry check on CONNECT. Given: only onboarded hotspots connect, in their registered region (a key
   * generator cannot fill the broker with sessions). Absent: any hotspot that proves possession of its key does
   * (open network, dev `npm start`); the oracle still rejects reports from hotspots it does not know.
   */
  resolveHotspot?: (address: string) => Promise<{ region: Region } | null>;
  /** Accepted login tokens remembered to refuse their replay (default 250 000; see TokenReplayCache). */
  replayCacheSize?: number;
  /** Clock for token expiry (ms); tests freeze it. */
  nowMs?: () => number;
  /** Registers the replay cache's gauges here. */
  metricsRegistry?: Registry;
}

export interface LoginCheck {
  /** Service password or single-use hotspot token, then the registry. Never throws. */
  login(credentials: { username: string | undefined; password: Buffer | string | undefined; clientId: string }): Promise<LoginOutcome>;
  /** The configured service account with this username, if any. */
  service(username: string): ServiceAccount | undefined;
  readonly replays: TokenReplayCache;
}

export function createLoginCheck(rules: LoginRules): LoginCheck {
  const services = new Map((rules.services ?? []).map((s) => [s.username, s]));
  const nowMs = rules.nowMs ?? Date.now;
  const replays = new TokenReplayCache(rules.replayCacheSize);
  if (rules.metricsRegistry) {
    new Gauge({ name: 'mqtt_broker_login_tokens_remembered', help: 'Accepted hotspot login tokens kept to refuse their replay', registers: [rules.metricsRegistry], collect() { this.set(replays.size); } });
    new Gauge({ name: 'mqtt_broker_login_tokens_evicted', help: 'Unexpired login tokens forgotten because the replay cache was full (raise replayCacheSize if > 0)', registers: [rules.metricsRegistry], collect() { this.set(replays.evicted); } });
  }
  const refuse = (returnCode: 3 | 4 | 5, refusal: Refusal): LoginOutcome => ({ ok: false, returnCode, refusal });

  const login: LoginCheck['login'] = async ({ username, password, clientId }) => {
    const service = username === undefined ? undefined : services.get(username);
    if (service) {
      if (!sameSecret(password, service.passwordSha256)) return refuse(4, { reason: 'bad_service_password', who: username ?? null, topic: null, detail: 'service password does not match' });
      return { ok: true, identity: { kind: 'service', username: service.username, role: service.role } };
    }
    const now = Math.floor(nowMs() / 1000);
    const token = verifyMqttToken({ username, password, clientId }, { nowSeconds: now });
    if (!token.ok) return refuse(4, { reason: token.reason, who: username ?? null, topic: null, detail: token.detail });
    const claims = token.claims;
    // Recorded before the registry lookup, so two CONNECTs racing with one token cannot both get through.
    if (!replays.firstUse(token.tokenId, claims.exp + MQTT_TOKEN_CLOCK_SKEW_SECONDS, now)) {
      return refuse(4, { reason: 'token_replayed', who: claims.address, topic: null, detail: 'login token already used; a bridge signs a new one for every connect' });
    }
    if (!rules.resolveHotspot) return { ok: true, identity: { kind: 'hotspot', address: claims.address, region: claims.region } };
    let known: { region: Region } | null;
    try {
      known = await rules.resolveHotspot(claims.address);
    } catch (error) {
      return refuse(3, { reason: 'lookup_failed', who: claims.address, topic: null, detail: (error as Error).message });
    }
    if (!known) return refuse(5, { reason: 'unknown_hotspot', who: claims.address, topic: null, detail: 'not in the hotspot registry' });
    if (known.region !== claims.region) return refuse(5, { reason: 'region_mismatch', who: claims.address, topic: null, detail: `token ${claims.region}, registry ${known.region}` });
    return { ok: true, identity: { kind: 'hotspot', address: claims.address, region: known.region } };
  };

  return { login, service: (username) => services.get(username), replays };
}
