import { createMqttToken, generateHotspotKeypair, hotspotMqttCredentials, reportTopic } from '@poc/protocol';
import { sha256Hex, startBrokerAuthService, type BrokerAuthService } from '@poc/broker';
import { request } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The broker's HTTP auth service (mosquitto-go-auth / EMQX backend) under hostile input: bodies too large, not
 * JSON, of the wrong shape or type, and floods of bad logins. Every bad body is a 400 deny with a reason (a broker
 * reads any 4xx as "no"), never an allow, never a 5xx; every one is counted; memory stays bounded. Real HTTP on
 * loopback.
 */
const alice = generateHotspotKeypair();
const logs: { reason?: string; clientId?: string; who?: string; detail?: string }[] = [];
let service: BrokerAuthService;

beforeAll(async () => {
  service = await startBrokerAuthService({
    access: {
      services: [{ username: 'oracle', passwordSha256: sha256Hex('oracle-secret'), role: 'oracle' }],
      resolveHotspot: async () => ({ region: 'EU868' }),
      logger: pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
    },
  });
});

afterAll(async () => {
  await service?.stop();
});

/** Raw HTTP, so the body, its framing and its content-type are exactly what the test says. */
function send(path: string, body: string | Buffer, options: { contentType?: string; chunked?: boolean; method?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': options.contentType ?? 'application/json' };
    if (!options.chunked) headers['content-length'] = Buffer.byteLength(body);
    const req = request(`${service.url}${path}`, { method: options.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    // The server may answer and close before it has read an oversized body; the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (options.chunked) {
      const data = Buffer.from(body);
      for (let at = 0; at < data.length; at += 64 * 1024) req.write(data.subarray(at, at + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}
const post = (path: string, body: unknown) => send(path, JSON.stringify(body));
const malformedCount = () => service.decisions.counts().malformed_request ?? 0;

describe('bad request bodies: 400 deny with a reason, never 200, never 5xx', () => {
  const login = { username: alice.address, password: 'x', clientid: 'c' };
  const acl = { username: alice.address, clientid: 'c', topic: 'poc/v1/entropy', acc: 4 };
  const cases: { name: string; path: string; body: string | Buffer; contentType?: string; chunked?: boolean; detail: RegExp }[] = [
    { name: 'a 1 MiB login (content-length)', path: '/mqtt/user', body: JSON.stringify({ ...login, password: 'p'.repeat(1024 * 1024) }), detail: /larger than the limit/ },
    { name: 'a 1 MiB ACL question sent chunked (no content-length)', path: '/mqtt/acl', body: JSON.stringify({ ...acl, topic: 't'.repeat(1024 * 1024) }), chunked: true, detail: /larger than the limit/ },
    { name: 'a password just above its field limit', path: '/mqtt/user', body: JSON.stringify({ ...login, password: 'p'.repeat(4097) }), detail: /password is longer than 4096/ },
    { name: 'a topic above its field limit', path: '/mqtt/acl', body: JSON.stringify({ ...acl, topic: 'a/'.repeat(2100) }), detail: /topic is longer than 4096/ },
    { name: 'truncated JSON holding a password', path: '/mqtt/user', body: '{"username":"u","password":"hunter2-secret","clientid":', detail: /not valid JSON/ },
    { name: 'an empty body', path: '/mqtt/user', body: '', detail: /empty/ },
    { name: 'a JSON array', path: '/mqtt/user', body: '[1,2,3]', detail: /body/ },
    { name: 'JSON null', path: '/mqtt/acl', body: 'null', detail: /body/ },
    { name: 'a login without a password', path: '/mqtt/user', body: JSON.stringify({ username: 'u', clientid: 'c' }), detail: /password: password is required/ },
    { name: 'a login without a client id', path: '/mqtt/user', body: JSON.stringify({ username: 'u', password: 'p' }), detail: /clientid: clientid is required/ },
    { name: 'a login with a numeric username', path: '/mqtt/user', body: JSON.stringify({ ...login, username: 42 }), detail: /username must be a string/ },
    { name: 'an ACL question without a topic', path: '/mqtt/acl', body: JSON.stringify({ username: 'u', clientid: 'c', acc: 2 }), detail: /topic is required/ },
    { name: 'an ACL question with an empty topic', path: '/mqtt/acl', body: JSON.stringify({ ...acl, topic: '' }), detail: /topic is empty/ },
    { name: 'an ACL question with neither acc nor action', path: '/mqtt/acl', body: JSON.stringify({ username: 'u', clientid: 'c', topic: 't' }), detail: /either acc/ },
    { name: 'an ACL question with both acc and action', path: '/mqtt/acl', body: JSON.stringify({ ...acl, action: 'publish' }), detail: /either acc/ },
    { name: 'acc as a string', path: '/mqtt/acl', body: JSON.stringify({ ...acl, acc: '2' }), detail: /acc must be 1/ },
    { name: 'acc 8 (unsubscribe is never asked)', path: '/mqtt/acl', body: JSON.stringify({ ...acl, acc: 8 }), detail: /acc must be 1/ },
    { name: 'an unknown EMQX action', path: '/mqtt/acl', body: JSON.stringify({ username: 'u', clientid: 'c', topic: 't', action: 'all' }), detail: /action must be/ },
    { name: 'retain that is not a boolean', path: '/mqtt/acl', body: JSON.stringify({ username: 'u', clientid: 'c', topic: 't', action: 'publish', retain: 'yes' }), detail: /retain must be/ },
    // fastify's JSON parser (secure-json-parse) refuses the key outright.
    { name: 'a __proto__ key (prototype poisoning)', path: '/mqtt/user', body: '{"username":"u","password":"p","clientid":"c","__proto__":{"ok":true}}', detail: /not valid JSON/ },
    { name: 'a form-encoded body', path: '/mqtt/user', body: 'username=u&password=p&clientid=c', contentType: 'application/x-www-form-urlencoded', detail: /content-type must be application\/json/ },
    { name: 'a superuser question without a username', path: '/mqtt/superuser', body: '{}', detail: /username is required/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = malformedCount();
      const { status, json } = await send(c.path, c.body, { ...(c.contentType ? { contentType: c.contentType } : {}), ...(c.chunked ? { chunked: true } : {}) });
      expect(status).toBe(400);
      expect(json).toMatchObject({ result: 'deny', ok: false, reason: 'malformed_request' });
      expect(json.detail).toMatch(c.detail);
      expect(malformedCount()).toBe(before + 1);
    });
  }

  it('never echoes or logs a password from a body it could not parse, and logs malformed bodies once per peer', () => {
    const recorded = JSON.stringify(logs) + JSON.stringify(service.decisions.recent());
    expect(recorded).not.toContain('hunter2-secret');
    expect(logs.filter((l) => l.reason === 'malformed_request')).toHaveLength(1);
    expect(service.decisions.recent().filter((r) => r.reason === 'malformed_request').length).toBe(cases.length);
  });

  it('answers unknown routes and methods with a 404 deny', async () => {
    expect((await send('/mqtt/user', '', { method: 'GET' })).status).toBe(404);
    expect(await send('/mqtt/admin', '{}')).toMatchObject({ status: 404, json: { result: 'deny' } });
  });

  it('still answers a well-formed login after all that', async () => {
    const creds = hotspotMqttCredentials(alice, 'EU868');
    expect(await post('/mqtt/user', { username: creds.username, password: creds.password, clientid: creds.clientId })).toMatchObject({ status: 200, json: { result: 'allow' } });
  });
});

describe('floods', () => {
  it("a flood of bad logins on one client id is counted, logged once per reason and bounded in memory, and does not lock the real hotspot out", async () => {
    const victim = hotspotMqttCredentials(alice, 'EU868');
    const now = Math.floor(Date.now() / 1000);
    const stranger = generateHotspotKeypair();
    const forged = createMqttToken({ address: alice.address, clientId: victim.clientId, region: 'EU868', issuedAt: now, expiresAt: now + 600 }, stranger.privateKeyObject);
    const bodies = [
      { username: alice.address, password: forged, clientid: victim.clientId },
      { username: alice.address, password: 'not-a-token', clientid: victim.clientId },
      { username: 'oracle', password: 'guess', clientid: victim.clientId },
    ];
    const countsBefore = service.decisions.counts();
    const sessionsBefore = service.decisions.sessions.size;
    const FLOOD = 3000;
    const statuses = new Map<number, number>();
    for (let i = 0; i < FLOOD; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => post('/mqtt/user', bodies[(i + j) % bodies.length])));
      for (const { status } of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 403: FLOOD });
    const counts = service.decisions.counts();
    const grew = (reason: string) => (counts[reason] ?? 0) - (countsBefore[reason] ?? 0);
    expect(grew('bad_signature') + grew('malformed_token') + grew('bad_service_password')).toBe(FLOOD);
    // Bounded: the last 1000 refusals, one log line per client and reason, no session and no remembered token made.
    expect(service.decisions.recent().length).toBeLessThanOrEqual(1000);
    expect(logs.filter((l) => l.clientId === victim.clientId).map((l) => l.reason).sort()).toEqual(['bad_service_password', 'bad_signature', 'malformed_token']);
    expect(service.decisions.sessions.size).toBe(sessionsBefore);
    const text = await service.metrics.metrics();
    expect(text).toMatch(new RegExp(`mqtt_broker_rejections_total\\{reason="bad_signature"\\} ${counts.bad_signature}\\b`));
    // Client ids are public (poc-bridge-<address>), so failures never lock a client id: the hotspot still gets in.
    expect(await post('/mqtt/user', { username: victim.username, password: victim.password, clientid: victim.clientId })).toMatchObject({ status: 200 });
  });

  it('logins from many freshly generated keys (open network) keep at most maxSessions sessions; an evicted one falls back to the registry', async () => {
    const small = await startBrokerAuthService({ access: { resolveHotspot: async () => ({ region: 'EU868' }) }, maxSessions: 5 });
    try {
      const keys = Array.from({ length: 20 }, () => generateHotspotKeypair());
      for (const k of keys) {
        const creds = hotspotMqttCredentials(k, 'EU868');
        const res = await fetch(`${small.url}/mqtt/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: creds.username, password: creds.password, clientid: creds.clientId }) });
        expect(res.status).toBe(200);
      }
      expect(small.decisions.sessions.size).toBe(5);
      expect(small.decisions.sessions.evicted).toBe(15);
      const first = keys[0]!;
      const res = await fetch(`${small.url}/mqtt/acl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: first.address, clientid: `poc-bridge-${first.address}`, topic: reportTopic('EU868', first.address, 'beacon'), acc: 2 }),
      });
      expect(res.status).toBe(200);
    } finally {
      await small.stop();
    }
  });
});
