import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Identity, Refusal } from './access-rules';
import type { AclAccess, AuthDecision, BrokerAuthDecisions } from './broker-auth-decisions';
import { MAX_AUTH_BODY_BYTES } from './http-auth';

/**
 * The broker's rules in the shape of RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http, 3.10): four routes
 * receiving URL-encoded POST bodies and answering 200 with the word `allow` or `deny` (any other status is an error
 * to RabbitMQ, which then refuses). What RabbitMQ's MQTT plugin asks, in order (docs/operations.md "Clustered broker"):
 * - user: username, password, client_id — the hotspot token or service password, as a CONNECT on the embedded broker;
 * - vhost: the one vhost `/`;
 * - resource: the exchange `amq.topic` (read to subscribe, write to publish) and the client's own QoS 0/1 session
 *   queue `mqtt-subscription-<client id>qos<n>`; the oracle's AMQP work queues `poc.*`;
 * - topic: the routing key of every publish and subscription binding, an MQTT topic with `/` and `.` swapped and `+`
 *   written `*` — answered by the same topic ACL as everywhere else.
 */

/** The oracle's work queues (declared by the oracle's AMQP consumer, bound to amq.topic). */
export const ORACLE_QUEUE_PREFIX = 'poc.';
const EXCHANGE = 'amq.topic';

const text = (name: string, max: number) => z.string({ error: `${name} is required` }).max(max, `${name} is longer than ${max} characters`);
const UserBody = z.object({ username: text('username', 1024), password: text('password', 4096), client_id: text('client_id', 1024).optional() });
const VhostBody = z.object({ username: text('username', 1024), vhost: text('vhost', 1024), client_id: text('client_id', 1024).optional() });
const Permission = z.enum(['configure', 'write', 'read'], { error: 'permission must be configure, write or read' });
const ResourceBody = z.object({
  username: text('username', 1024),
  vhost: text('vhost', 1024),
  resource: z.enum(['exchange', 'queue', 'topic'], { error: 'resource must be exchange, queue or topic' }),
  name: text('name', 1024),
  permission: Permission,
  client_id: text('client_id', 1024).optional(),
});
const TopicBody = z.object({
  username: text('username', 1024),
  vhost: text('vhost', 1024),
  name: text('name', 1024),
  permission: Permission,
  routing_key: text('routing_key', 4096).min(1, 'routing_key is empty'),
  'variable_map.client_id': text('variable_map.client_id', 1024).optional(),
});

/** RabbitMQ's MQTT plugin maps topics to routing keys by swapping `/` and `.`, and `+` to `*`; this undoes it. */
export function routingKeyToMqttTopic(routingKey: string): string {
  return routingKey.replace(/[./*]/g, (c) => (c === '.' ? '/' : c === '/' ? '.' : '+'));
}

/** An MQTT client's own session queues (RabbitMQ 3.10 names them after the client id and QoS). */
const ownSessionQueue = (name: string, clientId: string | undefined) => clientId !== undefined && clientId !== '' && (name === `mqtt-subscription-${clientId}qos0` || name === `mqtt-subscription-${clientId}qos1`);

/** May `identity` use this exchange or queue (RabbitMQ's configure / write / read)? Null when it may. */
export function rabbitResourceRefusal(identity: Identity | undefined, resource: { kind: 'exchange' | 'queue'; name: string; permission: 'configure' | 'write' | 'read'; clientId?: string }): Refusal | null {
  const who = identity ? (identity.kind === 'hotspot' ? identity.address : identity.username) : null;
  const role = identity?.kind === 'service' ? identity.role : (identity?.kind ?? 'anonymous');
  let allowed = false;
  if (identity && resource.kind === 'exchange') {
    // The topic check then decides which routing keys: here only "this exchange, read or write".
    allowed = resource.name === EXCHANGE && resource.permission !== 'configure' && (resource.permission === 'read' || role !== 'reader');
  } else if (identity && resource.kind === 'queue') {
    allowed = ownSessionQueue(resource.name, resource.clientId) || (role === 'oracle' && resource.name.startsWith(ORACLE_QUEUE_PREFIX));
  }
  if (allowed) return null;
  return { reason: 'resource_denied', who, topic: null, detail: `${role} may not ${resource.permission} ${resource.kind} ${resource.name.slice(0, 200)}` };
}

function reply(res: FastifyReply, decision: AuthDecision): FastifyReply {
  return res.status(200).type('text/plain').send(decision.allow ? 'allow' : 'deny');
}

export interface RabbitAuthPluginOptions {
  decisions: BrokerAuthDecisions;
  bodyLimit?: number;
}

/** `POST /rabbitmq/{user,vhost,resource,topic}`, encapsulated with its own form parser and error handler. */
export const rabbitAuthPlugin: FastifyPluginAsync<RabbitAuthPluginOptions> = async (app, { decisions, bodyLimit = MAX_AUTH_BODY_BYTES }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, req, res) => {
    decisions.malformed(req.ip, (error.statusCode ?? 500) < 500 ? error.message.slice(0, 300) : 'internal error');
    return res.status(200).type('text/plain').send('deny');
  });
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw Object.assign(new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')), { statusCode: 400 });
    return parsed.data;
  };
  const identity = async (username: string, clientId: string): Promise<Identity | undefined | AuthDecision> => {
    const found = await decisions.identify(username, clientId);
    if (found && 'lookupFailed' in found) return decisions.refuse(clientId, { reason: 'lookup_failed', who: username, topic: null, detail: found.lookupFailed }, true);
    return found;
  };
  const isDecision = (x: unknown): x is AuthDecision => typeof x === 'object' && x !== null && 'allow' in x;

  app.post('/rabbitmq/user', { bodyLimit }, async (req, res) => {
    const body = parse(UserBody, req.body);
    return reply(res, await decisions.user({ username: body.username, password: body.password, clientId: body.client_id ?? '' }));
  });

  app.post('/rabbitmq/vhost', { bodyLimit }, async (req, res) => {
    const body = parse(VhostBody, req.body);
    const found = await identity(body.username, body.client_id ?? '');
    if (isDecision(found)) return reply(res, found);
    if (found && body.vhost === '/') return reply(res, { allow: true });
    return reply(res, decisions.refuse(body.client_id ?? '', { reason: 'resource_denied', who: body.username, topic: null, detail: `no access to vhost ${body.vhost.slice(0, 100)}` }));
  });

  app.post('/rabbitmq/resource', { bodyLimit }, async (req, res) => {
    const body = parse(ResourceBody, req.body);
    const clientId = body.client_id ?? '';
    const found = await identity(body.username, clientId);
    if (isDecision(found)) return reply(res, found);
    // Topic permissions come through /rabbitmq/topic with a routing key; a bare "topic" resource grants nothing.
    const refusal =
      body.vhost !== '/' || body.resource === 'topic'
        ? { reason: 'resource_denied' as const, who: body.username, topic: null, detail: `no ${body.resource} ${body.name.slice(0, 100)} in vhost ${body.vhost.slice(0, 100)}` }
        : rabbitResourceRefusal(found, { kind: body.resource, name: body.name, permission: body.permission, clientId: body.client_id });
    return reply(res, refusal ? decisions.refuse(clientId, refusal) : { allow: true });
  });

  app.post('/rabbitmq/topic', { bodyLimit }, async (req, res) => {
    const body = parse(TopicBody, req.body);
    const clientId = body['variable_map.client_id'] ?? '';
    if (body.vhost !== '/' || body.name !== EXCHANGE) {
      return reply(res, decisions.refuse(clientId, { reason: 'resource_denied', who: body.username, topic: null, detail: `topics only on ${EXCHANGE} in vhost /` }));
    }
    // write = publish with this routing key; read = bind a queue with it (an MQTT subscription or the oracle's queue).
    const access: AclAccess = body.permission === 'write' ? 'write' : 'subscribe';
    if (body.permission === 'configure') return reply(res, decisions.refuse(clientId, { reason: 'resource_denied', who: body.username, topic: null, detail: 'configure is not a topic permission' }));
    return reply(res, await decisions.acl({ username: body.username, clientId, topic: routingKeyToMqttTopic(body.routing_key), access }));
  });
};
