import { createMqttToken, ENTROPY_TOPIC, generateHotspotKeypair, hotspotMqttCredentials, reportTopic, stateTopic, type Region } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, type BrokerAccessOptions } from './access-control';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
import { startBrokerAuthService, type BrokerAuthService } from './http-auth';

/**
 * The HTTP auth service against the embedded broker, case by case: the same credentials and the same topics go to
 * aedes over MQTT (real mqtt.js clients) and to the service over HTTP (loopback), and both must decide alike —
 * allow, or deny for the same reason. Each side keeps its own replay cache, so a token is fresh on each.
 */
const alice = generateHotspotKeypair();
const bob = generateHotspotKeypair();
const stranger = generateHotspotKeypair();
const flaky = generateHotspotKeypair();
const SERVICE_PASSWORDS = { oracle: 'oracle-secret', mapper: 'mapper-secret', fleet: 'fleet-secret' } as const;
type ServiceName = keyof typeof SERVICE_PASSWORDS;

const rules = (): BrokerAccessOptions => ({
  services: [
    { username: 'oracle', passwordSha256: sha256Hex(SERVICE_PASSWORDS.oracle), role: 'oracle' },
    { username: 'mapper', passwordSha256: sha256Hex(SERVICE_PASSWORDS.mapper), role: 'reader' },
    { username: 'fleet', passwordSha256: sha256Hex(SERVICE_PASSWORDS.fleet), role: 'relay' },
  ],
  resolveHotspot: async (address) => {
    if (address === flaky.address) throw new Error('registry unavailable');
    return address === stranger.address ? null : { region: 'EU868' };
  },
});

const logLines: { reason: string; clientId: string }[] = [];
const captureLogger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
let broker: EmbeddedBroker;
let service: BrokerAuthService;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({ auth: { ...rules(), publishRates: { hotspot: null }, metricsRegistry: new Registry(), logger: pino({ level: 'silent' }) } });
  service = await startBrokerAuthService({ access: { ...rules(), logger: captureLogger } });
});

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await broker?.stop();
  await service?.stop();
});

interface Credentials {
  clientId: string;
  username?: string;
  password?: string;
}
type Decision = 'allow' | string;

async function post(path: string, body: unknown, base = service.url): Promise<{ status: number; body: { result: string; ok: boolean; reason?: string } }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const lastRefusal = (clientId: string) => {
  const refusal = broker.access!.recent().at(-1)!;
  expect(refusal.clientId).toBe(clientId);
  return refusal.reason;
};

/** CONNECT to aedes: the client, or the refusal's reason. */
async function embeddedLogin(creds: Credentials): Promise<{ decision: Decision; client?: MqttClient }> {
  try {
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...creds });
    clients.push(client);
    return { decision: 'allow', client };
  } catch {
    return { decision: lastRefusal(creds.clientId) };
  }
}

async function httpLogin(creds: Credentials): Promise<Decision> {
  const { status, body } = await post('/mqtt/user', { username: creds.username ?? '', password: creds.password ?? '', clientid: creds.clientId });
  expect(body.ok).toBe(body.result === 'allow');
  if (body.result === 'allow') {
    expect(status).toBe(200);
    return 'allow';
  }
  expect(status).toBe(body.reason === 'lookup_failed' ? 503 : 403);
  return body.reason!;
}

const hotspotLogin = (keys: typeof alice, region: Region = 'EU868') => hotspotMqttCredentials(keys, region);
const serviceLogin = (name: ServiceName): Credentials => ({ clientId: `${name}-1`, username: name, password: SERVICE_PASSWORDS[name] });

describe('POST /mqtt/user decides every login as the embedded broker does', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const clientId = `poc-bridge-${alice.address}`;
  const replayed = () => {
    const creds = hotspotLogin(alice);
    return [creds, creds];
  };
  const cases: { name: string; attempts: () => Credentials[]; expected: Decision[] }[] = [
    { name: 'an onboarded hotspot with a fresh token', attempts: () => [hotspotLogin(alice)], expected: ['allow'] },
    {
      name: 'a token for alice signed by another key (forged)',
      attempts: () => [{ clientId, username: alice.address, password: createMqttToken({ address: alice.address, clientId, region: 'EU868', issuedAt: now(), expiresAt: now() + 600 }, bob.privateKeyObject) }],
      expected: ['bad_signature'],
    },
    {
      name: 'an expired token',
      attempts: () => [{ clientId, username: alice.address, password: createMqttToken({ address: alice.address, clientId, region: 'EU868', issuedAt: now() - 7200, expiresAt: now() - 3600 }, alice.privateKeyObject) }],
      expected: ['expired'],
    },
    { name: 'a token used twice (replayed)', attempts: replayed, expected: ['allow', 'token_replayed'] },
    { name: 'a hotspot that is not in the registry', attempts: () => [hotspotLogin(stranger)], expected: ['unknown_hotspot'] },
    { name: 'a token for another region than the registry says', attempts: () => [hotspotLogin(alice, 'US915')], expected: ['region_mismatch'] },
    { name: 'a token issued for another client id', attempts: () => [{ ...hotspotLogin(alice), clientId: 'someone-else' }], expected: ['client_id_mismatch'] },
    { name: 'a hotspot while the registry is down', attempts: () => [hotspotLogin(flaky)], expected: ['lookup_failed'] },
    { name: 'no password', attempts: () => [{ clientId, username: alice.address }], expected: ['malformed_token'] },
    { name: 'anonymous', attempts: () => [{ clientId: 'anon' }], expected: ['malformed_token'] },
    { name: 'a service with its password', attempts: () => [serviceLogin('oracle')], expected: ['allow'] },
    { name: 'a service with a wrong password', attempts: () => [{ ...serviceLogin('oracle'), password: 'guess' }], expected: ['bad_service_password'] },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const attempts = c.attempts();
      const embedded: Decision[] = [];
      const overHttp: Decision[] = [];
      for (const creds of attempts) {
        const { decision, client } = await embeddedLogin(creds);
        embedded.push(decision);
        await client?.endAsync();
        overHttp.push(await httpLogin(creds));
      }
      expect(embedded).toEqual(c.expected);
      expect(overHttp).toEqual(embedded);
    });
  }
});

type Who = { hotspot: typeof alice } | { service: ServiceName };
type Question = { op: 'publish'; topic: string; retain?: boolean } | { op: 'subscribe'; topic: string };

const credentialsOf = (who: Who): Credentials => ('hotspot' in who ? hotspotLogin(who.hotspot) : serviceLogin(who.service));

async function embeddedAcl(who: Who, question: Question): Promise<Decision> {
  const creds = credentialsOf(who);
  const { decision, client } = await embeddedLogin(creds);
  expect(decision).toBe('allow');
  const c = client!;
  if (question.op === 'subscribe') {
    const granted = await c.subscribeAsync(question.topic, { qos: 1 }).then(
      (g) => g[0]!.qos,
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0],
    );
    await c.endAsync();
    return granted === 128 ? lastRefusal(creds.clientId) : 'allow';
  }
  const gone = new Promise<'deny'>((resolve) => c.once('close', () => resolve('deny')));
  const outcome = await Promise.race([c.publishAsync(question.topic, 'x', { qos: 1, retain: question.retain ?? false }).then(() => 'allow' as const, () => 'deny' as const), gone]);
  await c.endAsync(true);
  return outcome === 'allow' ? 'allow' : lastRefusal(creds.clientId);
}

/** Logs in over HTTP, then asks the ACL question in each broker's shape it can be asked in. */
async function httpAcl(who: Who, question: Question): Promise<Decision[]> {
  const creds = credentialsOf(who);
  expect(await httpLogin(creds)).toBe('allow');
  const asked = { username: creds.username, clientid: creds.clientId, topic: question.topic };
  const answers: Decision[] = [];
  const decide = (status: number, body: { result: string; ok: boolean; reason?: string }, denyStatus: number) => {
    expect(body.ok).toBe(body.result === 'allow');
    expect(status).toBe(body.result === 'allow' ? 200 : denyStatus);
    return body.result === 'allow' ? 'allow' : body.reason!;
  };
  // go-auth carries no retain flag, so a retained publish is asked only in EMQX's shape.
  if (!(question.op === 'publish' && question.retain)) {
    const { status, body } = await post('/mqtt/acl', { ...asked, acc: question.op === 'publish' ? 2 : 4 });
    answers.push(decide(status, body, 403));
  }
  const { status, body } = await post('/mqtt/acl', { ...asked, action: question.op, ...(question.op === 'publish' ? { retain: question.retain ?? false } : {}) });
  answers.push(decide(status, body, 200));
  return answers;
}

describe('POST /mqtt/acl decides every publish and subscribe as the embedded broker does', () => {
  const hotspot = { hotspot: alice };
  const cases: { who: Who; question: Question; expected: Decision }[] = [
    { who: hotspot, question: { op: 'publish', topic: reportTopic('EU868', alice.address, 'beacon') }, expected: 'allow' },
    { who: hotspot, question: { op: 'publish', topic: stateTopic('EU868', alice.address), retain: true }, expected: 'allow' },
    { who: hotspot, question: { op: 'publish', topic: reportTopic('EU868', bob.address, 'beacon') }, expected: 'publish_denied' },
    { who: hotspot, question: { op: 'publish', topic: ENTROPY_TOPIC }, expected: 'publish_denied' },
    { who: hotspot, question: { op: 'publish', topic: reportTopic('US915', alice.address, 'witness') }, expected: 'publish_denied' },
    { who: hotspot, question: { op: 'publish', topic: `${reportTopic('EU868', alice.address, 'beacon')}/extra` }, expected: 'publish_denied' },
    { who: hotspot, question: { op: 'publish', topic: reportTopic('EU868', alice.address, 'beacon'), retain: true }, expected: 'retain_refused' },
    { who: hotspot, question: { op: 'subscribe', topic: ENTROPY_TOPIC }, expected: 'allow' },
    { who: hotspot, question: { op: 'subscribe', topic: 'poc/v1/+/hotspot/+/beacon' }, expected: 'subscribe_denied' },
    { who: hotspot, question: { op: 'subscribe', topic: '#' }, expected: 'subscribe_denied' },
    { who: { service: 'oracle' }, question: { op: 'publish', topic: ENTROPY_TOPIC, retain: true }, expected: 'allow' },
    { who: { service: 'oracle' }, question: { op: 'publish', topic: reportTopic('EU868', alice.address, 'beacon') }, expected: 'publish_denied' },
    { who: { service: 'oracle' }, question: { op: 'subscribe', topic: '$share/oracles/poc/v1/+/hotspot/+/beacon' }, expected: 'allow' },
    { who: { service: 'oracle' }, question: { op: 'subscribe', topic: '$share/oracles/#' }, expected: 'subscribe_denied' },
    { who: { service: 'mapper' }, question: { op: 'publish', topic: ENTROPY_TOPIC }, expected: 'publish_denied' },
    { who: { service: 'mapper' }, question: { op: 'subscribe', topic: 'poc/v1/#' }, expected: 'allow' },
    { who: { service: 'fleet' }, question: { op: 'publish', topic: reportTopic('US915', alice.address, 'witness') }, expected: 'allow' },
    { who: { service: 'fleet' }, question: { op: 'publish', topic: ENTROPY_TOPIC }, expected: 'publish_denied' },
    { who: { service: 'fleet' }, question: { op: 'subscribe', topic: 'poc/v1/+/hotspot/+/beacon' }, expected: 'subscribe_denied' },
  ];

  for (const c of cases) {
    const name = 'hotspot' in c.who ? 'hotspot' : c.who.service;
    it(`${name} ${c.question.op}${c.question.op === 'publish' && c.question.retain ? ' (retained)' : ''} ${c.question.topic.replace(alice.address, '<own>').replace(bob.address, '<other>')} → ${c.expected}`, async () => {
      const embedded = await embeddedAcl(c.who, c.question);
      expect(embedded).toBe(c.expected);
      const answers = await httpAcl(c.who, c.question);
      for (const answer of answers) expect(answer).toBe(embedded);
    });
  }
});

describe('HTTP auth service specifics', () => {
  it('answers read questions (go-auth acc 1) with the subscribe rules, and acc 3 needs both read and write', async () => {
    const creds = hotspotLogin(alice);
    expect(await httpLogin(creds)).toBe('allow');
    const ask = (topic: string, acc: number) => post('/mqtt/acl', { username: alice.address, clientid: creds.clientId, topic, acc });
    expect((await ask(ENTROPY_TOPIC, 1)).status).toBe(200);
    const read = await ask(reportTopic('EU868', bob.address, 'beacon'), 1);
    expect(read).toMatchObject({ status: 403, body: { result: 'deny', reason: 'read_denied' } });
    expect((await ask(reportTopic('EU868', alice.address, 'beacon'), 3)).body.reason).toBe('read_denied');
    const oracle = serviceLogin('oracle');
    const oracleReads = await post('/mqtt/acl', { username: 'oracle', clientid: oracle.clientId, topic: reportTopic('EU868', bob.address, 'witness'), acc: 1 });
    expect(oracleReads.status).toBe(200);
  });

  it('refuses an ACL question for a client whose login it never saw, unless the registry knows the hotspot', async () => {
    const open = await startBrokerAuthService({ access: { services: rules().services! } });
    try {
      const creds = hotspotLogin(bob);
      const topic = reportTopic('EU868', bob.address, 'beacon');
      const before = await post('/mqtt/acl', { username: bob.address, clientid: creds.clientId, topic, acc: 2 }, open.url);
      expect(before).toMatchObject({ status: 403, body: { reason: 'publish_denied' } });
      expect((await post('/mqtt/user', { username: creds.username, password: creds.password, clientid: creds.clientId }, open.url)).status).toBe(200);
      const after = await post('/mqtt/acl', { username: bob.address, clientid: creds.clientId, topic, acc: 2 }, open.url);
      expect(after.status).toBe(200);
      // Same client id, another username: not the identity that logged in.
      const impostor = await post('/mqtt/acl', { username: alice.address, clientid: creds.clientId, topic: reportTopic('EU868', alice.address, 'beacon'), acc: 2 }, open.url);
      expect(impostor.body.reason).toBe('publish_denied');
    } finally {
      await open.stop();
    }
    // With a registry (the service above restarted, or another replica): the region comes from the registry.
    const fresh = await startBrokerAuthService({ access: rules() });
    try {
      const ok = await post('/mqtt/acl', { username: bob.address, clientid: 'poc-bridge-x', topic: reportTopic('EU868', bob.address, 'beacon'), acc: 2 }, fresh.url);
      expect(ok.status).toBe(200);
      const other = await post('/mqtt/acl', { username: bob.address, clientid: 'poc-bridge-x', topic: reportTopic('US915', bob.address, 'beacon'), acc: 2 }, fresh.url);
      expect(other.body.reason).toBe('publish_denied');
      const down = await post('/mqtt/acl', { username: flaky.address, clientid: 'f', topic: reportTopic('EU868', flaky.address, 'beacon'), acc: 2 }, fresh.url);
      expect(down).toMatchObject({ status: 503, body: { result: 'deny', reason: 'lookup_failed' } });
      const downEmqx = await post('/mqtt/acl', { username: flaky.address, clientid: 'f', topic: reportTopic('EU868', flaky.address, 'beacon'), action: 'publish' }, fresh.url);
      expect(downEmqx).toMatchObject({ status: 200, body: { result: 'deny', reason: 'lookup_failed' } });
    } finally {
      await fresh.stop();
    }
  });

  it('never grants a superuser', async () => {
    expect(await post('/mqtt/superuser', { username: 'oracle' })).toMatchObject({ status: 403, body: { result: 'deny', ok: false } });
  });

  it('counts refusals in mqtt_broker_rejections_total{reason}, logs one line per client and reason, never a secret', async () => {
    const text = await service.metrics.metrics();
    expect(text).toMatch(/mqtt_broker_rejections_total\{reason="bad_signature"\} 1\b/);
    expect(text).toMatch(/mqtt_broker_rejections_total\{reason="token_replayed"\} 1\b/);
    expect(text).toMatch(/mqtt_broker_rejections_total\{reason="publish_denied"\} \d+/);
    expect(text).toMatch(/mqtt_auth_sessions \d+/);
    expect(text).toMatch(/mqtt_broker_login_tokens_remembered \d+/);
    const wrong = { ...serviceLogin('mapper'), password: 'wrong-one' };
    for (let i = 0; i < 3; i++) expect(await httpLogin(wrong)).toBe('bad_service_password');
    expect(logLines.filter((l) => l.clientId === wrong.clientId && l.reason === 'bad_service_password')).toHaveLength(1);
    expect(service.decisions.counts().bad_service_password).toBe(4);
    const logged = JSON.stringify(logLines) + JSON.stringify(service.decisions.recent());
    expect(logged).not.toContain('wrong-one');
    expect(logged).not.toContain('guess');
  });
});
