import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { BrokerAccessOptions } from './access-control';
import { rabbitAuthPlugin } from './rabbitmq-auth';
import { createBrokerAuthDecisions, type AclAccess, type AuthDecision, type BrokerAuthDecisions } from './broker-auth-decisions';

/**
 * The broker's rules over HTTP, for a production broker: mosquitto with mosquitto-go-auth's HTTP backend, EMQX's
 * HTTP authentication and authorization sources. Every answer carries `{ result: "allow" | "deny", ok }` (EMQX reads
 * `result`, go-auth's json mode `ok`) and a status code (go-auth's status mode): 200 allow, 403 deny.
 *
 * One exception to "403 deny": an ACL question in EMQX's shape (`action` instead of `acc`) is denied with 200 and
 * `{"result":"deny"}`, because EMQX takes any status other than 200/204 as "ignore" and, with its default
 * `no_match = allow`, would then let the client through. A login refused with 403 is safe on EMQX: "ignore" moves on
 * along the authentication chain, and a chain without a decision refuses the client.
 */

/** Largest request body read: a go-auth / EMQX request is a few hundred bytes (a login token is ≤ 1 KiB). */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;

const text = (name: string, max: number) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`) }).max(max, `${name} is longer than ${max} characters`);

const UserBody = z.object({ username: text('username', 1024), password: text('password', 4096), clientid: text('clientid', 1024) });

const GO_AUTH_ACCESS: Record<1 | 2 | 3 | 4, AclAccess> = { 1: 'read', 2: 'write', 3: 'readwrite', 4: 'subscribe' };
const AclBody = z
  .object({
    username: text('username', 1024),
    clientid: text('clientid', 1024),
    topic: text('topic', 4096).min(1, 'topic is empty'),
    acc: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'acc must be 1 (read), 2 (write), 3 (readwrite) or 4 (subscribe)' }).optional(),
    action: z.enum(['publish', 'subscribe'], { error: 'action must be "publish" or "subscribe"' }).optional(),
    retain: z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'retain must be true or false' }).optional(),
  })
  .refine((body) => (body.acc === undefined) !== (body.action === undefined), {
    message: 'give either acc (mosquitto-go-auth: 1 read, 2 write, 3 readwrite, 4 subscribe) or action (EMQX: publish, subscribe)',
  });

const SuperuserBody = z.object({ username: text('username', 1024) });

/** Fastify's own refusals of a body, in words that never echo the body (it may hold a password). */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is larger than the limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content-type must be application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content-length does not match the body',
};

function describeBadRequest(error: FastifyError): string {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.map((issue) => `${issue.instancePath.slice(1).replaceAll('/', '.') || 'body'}: ${issue.message}`).join('; ');
  }
  if (error.code && BODY_ERRORS[error.code]) return BODY_ERRORS[error.code]!;
  return error instanceof SyntaxError || error.name === 'SyntaxError' ? 'body is not valid JSON' : `bad request (${error.code ?? error.statusCode})`;
}

function answer(reply: FastifyReply, decision: AuthDecision, deny: { status: 200 | 403 }, extra: Record<string, unknown> = {}) {
  if (decision.allow) return reply.status(200).send({ result: 'allow', ok: true, ...extra });
  // Registry down: 503 makes go-auth treat it as an error (refused, and logged as a backend failure, not a bad login).
  const status = decision.unavailable && deny.status === 403 ? 503 : deny.status;
  return reply.status(status).send({ result: 'deny', ok: false, reason: decision.reason, detail: decision.detail, ...extra });
}

export interface BrokerAuthPluginOptions {
  decisions: BrokerAuthDecisions;
  /** Per route; default MAX_AUTH_BODY_BYTES. */
  bodyLimit?: number;
}

/**
 * `POST /mqtt/user`, `/mqtt/acl`, `/mqtt/superuser`, encapsulated: its zod validator and its error handler (any bad
 * request → 400 `{ result: "deny", reason: "malformed_request", detail }`, counted and logged once per peer) apply to
 * these routes only.
 */
export const brokerAuthPlugin: FastifyPluginAsync<BrokerAuthPluginOptions> = async (app, { decisions, bodyLimit = MAX_AUTH_BODY_BYTES }) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const detail = describeBadRequest(error);
      decisions.malformed(req.ip, detail);
      return reply.status(400).send({ result: 'deny', ok: false, reason: 'malformed_request', detail });
    }
    req.log.error({ err: error }, 'broker auth request failed');
    return reply.status(500).send({ result: 'deny', ok: false, reason: 'internal_error' });
  });
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/mqtt/user', { bodyLimit, schema: { body: UserBody } }, async (req, reply) => {
    const decision = await decisions.user({ username: req.body.username, password: req.body.password, clientId: req.body.clientid });
    return answer(reply, decision, { status: 403 }, { is_superuser: false });
  });

  api.post('/mqtt/acl', { bodyLimit, schema: { body: AclBody } }, async (req, reply) => {
    const { username, clientid, topic, acc, action, retain } = req.body;
    const access: AclAccess = acc !== undefined ? GO_AUTH_ACCESS[acc] : action === 'publish' ? 'write' : 'subscribe';
    const decision = await decisions.acl({ username, clientId: clientid, topic, access, retain: retain === true || retain === 'true' });
    return answer(reply, decision, { status: action !== undefined ? 200 : 403 });
  });

  // go-auth asks before every ACL check; nobody bypasses the ACL, so the answer is always no (and not a refusal).
  api.post('/mqtt/superuser', { bodyLimit, schema: { body: SuperuserBody } }, async (_req, reply) =>
    reply.status(403).send({ result: 'deny', ok: false, reason: 'no_superusers' }),
  );
};

export interface BrokerAuthService {
  url: string;
  port: number;
  app: FastifyInstance;
  decisions: BrokerAuthDecisions;
  /** `mqtt_broker_rejections_total{reason}`, the replay cache and session gauges; serve it with startOpsServer. */
  metrics: Registry;
  stop(): Promise<void>;
}

/**
 * The HTTP auth service on `host:port` (default 127.0.0.1, any free port) with the same options as the embedded
 * broker's `auth` (`publishRates` aside: the production broker enforces its own limits). Only the broker should reach
 * it: whoever can call /mqtt/user can spend a login token, like a CONNECT would.
 */
export async function startBrokerAuthService(options: {
  host?: string;
  port?: number;
  access: BrokerAccessOptions;
  maxSessions?: number;
  bodyLimit?: number;
}): Promise<BrokerAuthService> {
  const metrics = options.access.metricsRegistry ?? new Registry();
  const decisions = createBrokerAuthDecisions({ ...options.access, metricsRegistry: metrics }, options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions });
  const logger = options.access.logger;
  const app = (logger ? Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ result: 'deny', ok: false, reason: 'not_found', detail: `no route ${req.method} ${req.url.split('?')[0]}` }));
  await app.register(brokerAuthPlugin, { decisions, ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }) });
  await app.register(rabbitAuthPlugin, { decisions, ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }) });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const port = (app.server.address() as { port: number }).port;
  return { url: `http://${host}:${port}`, port, app, decisions, metrics, stop: () => app.close() };
}
