import { generateHotspotKeypair, hotspotMqttCredentials } from '@poc/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './access-control';
import { startBrokerAuthService, type BrokerAuthService } from './http-auth';
import { rabbitResourceRefusal, routingKeyToMqttTopic } from './rabbitmq-auth';

/**
 * The RabbitMQ routes of the auth service as rabbitmq_auth_backend_http calls them (URL-encoded POST bodies, answers
 * `allow` / `deny` with 200), the same rules as the MQTT routes; the cluster test (test/cluster) runs them under a real
 * RabbitMQ. Here: every route, and what an attacker who reaches the service could send.
 */
const alice = generateHotspotKeypair();
const bob = generateHotspotKeypair();
let service: BrokerAuthService;

beforeAll(async () => {
  service = await startBrokerAuthService({
    access: {
      services: [
        { username: 'oracle', passwordSha256: sha256Hex('oracle-secret'), role: 'oracle' },
        { username: 'mapper', passwordSha256: sha256Hex('mapper-secret'), role: 'reader' },
      ],
      resolveHotspot: async (address) => (address === alice.address || address === bob.address ? { region: 'EU868' } : null),
      logger: pino({ level: 'silent' }),
    },
  });
});
afterAll(async () => {
  await service?.stop();
});

async function ask(route: string, fields: Record<string, string>, init: { contentType?: string; body?: string } = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${service.url}/rabbitmq/${route}`, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' },
    body: init.body ?? new URLSearchParams(fields).toString(),
  });
  return { status: res.status, text: await res.text() };
}
const decision = async (route: string, fields: Record<string, string>) => (await ask(route, fields)).text;

describe('RabbitMQ HTTP auth routes', () => {
  it('logs a hotspot in once with its token and answers its MQTT session questions', async () => {
    const login = hotspotMqttCredentials(alice, 'EU868');
    const fields = { username: login.username, password: login.password, vhost: '/', client_id: login.clientId };
    expect(await ask('user', fields)).toEqual({ status: 200, text: 'allow' });
    expect(await decision('user', fields)).toBe('deny'); // replayed token
    const who = { username: alice.address, vhost: '/', client_id: login.clientId };
    expect(await decision('vhost', { ...who, ip: '127.0.0.1' })).toBe('allow');
    expect(await decision('vhost', { ...who, vhost: 'other', ip: '127.0.0.1' })).toBe('deny');
    for (const permission of ['configure', 'read', 'write']) {
      expect(await decision('resource', { ...who, resource: 'queue', name: `mqtt-subscription-${login.clientId}qos1`, permission })).toBe('allow');
      // Another client's session queue, and the oracle's work queue.
      expect(await decision('resource', { ...who, resource: 'queue', name: `mqtt-subscription-poc-bridge-${bob.address}qos1`, permission })).toBe('deny');
      expect(await decision('resource', { ...who, resource: 'queue', name: 'poc.reports', permission })).toBe('deny');
    }
    expect(await decision('resource', { ...who, resource: 'exchange', name: 'amq.topic', permission: 'write' })).toBe('allow');
    expect(await decision('resource', { ...who, resource: 'exchange', name: 'amq.topic', permission: 'configure' })).toBe('deny');
    expect(await decision('resource', { ...who, resource: 'exchange', name: 'amq.direct', permission: 'write' })).toBe('deny');
    const topic = { username: alice.address, vhost: '/', resource: 'topic', name: 'amq.topic', 'variable_map.client_id': login.clientId };
    expect(await decision('topic', { ...topic, permission: 'write', routing_key: `poc.v1.eu868.hotspot.${alice.address}.beacon` })).toBe('allow');
    expect(await decision('topic', { ...topic, permission: 'write', routing_key: `poc.v1.eu868.hotspot.${bob.address}.beacon` })).toBe('deny');
    expect(await decision('topic', { ...topic, permission: 'write', routing_key: `poc.v1.us915.hotspot.${alice.address}.beacon` })).toBe('deny');
    expect(await decision('topic', { ...topic, permission: 'read', routing_key: 'poc.v1.entropy' })).toBe('allow');
    expect(await decision('topic', { ...topic, permission: 'read', routing_key: 'poc.v1.*.hotspot.*.beacon' })).toBe('deny');
    expect(await decision('topic', { ...topic, name: 'amq.fanout', permission: 'write', routing_key: `poc.v1.eu868.hotspot.${alice.address}.beacon` })).toBe('deny');
  });

  it('lets the oracle declare, bind and consume its poc.* queues and nothing else', async () => {
    expect(await decision('user', { username: 'oracle', password: 'oracle-secret', vhost: '/' })).toBe('allow');
    expect(await decision('user', { username: 'oracle', password: 'wrong', vhost: '/' })).toBe('deny');
    const who = { username: 'oracle', vhost: '/' };
    expect(await decision('resource', { ...who, resource: 'queue', name: 'poc.reports', permission: 'configure' })).toBe('allow');
    expect(await decision('resource', { ...who, resource: 'queue', name: 'other', permission: 'read' })).toBe('deny');
    expect(await decision('resource', { ...who, resource: 'exchange', name: 'amq.topic', permission: 'read' })).toBe('allow');
    expect(await decision('topic', { ...who, resource: 'topic', name: 'amq.topic', permission: 'read', routing_key: 'poc.v1.*.hotspot.*.witness' })).toBe('allow');
    expect(await decision('topic', { ...who, resource: 'topic', name: 'amq.topic', permission: 'write', routing_key: 'poc.v1.eu868.hotspot.x.beacon' })).toBe('deny');
    // A reader may read but not publish.
    expect(await decision('resource', { username: 'mapper', vhost: '/', resource: 'exchange', name: 'amq.topic', permission: 'write' })).toBe('deny');
  });

  it('refuses what a broker never sends with a plain deny, counted as malformed', async () => {
    const before = service.decisions.counts().malformed_request ?? 0;
    expect(await ask('user', {}, { body: 'username=x' })).toEqual({ status: 200, text: 'deny' });
    expect(await ask('resource', { username: 'oracle', vhost: '/', resource: 'vhost', name: 'x', permission: 'read' })).toEqual({ status: 200, text: 'deny' });
    expect(await ask('topic', {}, { contentType: 'application/json', body: '{"username":"oracle"}' })).toEqual({ status: 200, text: 'deny' });
    expect(await ask('user', {}, { body: `username=a&password=${'x'.repeat(20_000)}` })).toEqual({ status: 200, text: 'deny' });
    expect((service.decisions.counts().malformed_request ?? 0) - before).toBeGreaterThanOrEqual(4);
  });

  it('maps routing keys back to MQTT topics and judges resources without a login', () => {
    expect(routingKeyToMqttTopic('poc.v1.*.hotspot.*.beacon')).toBe('poc/v1/+/hotspot/+/beacon');
    expect(routingKeyToMqttTopic('a/b.c')).toBe('a.b/c');
    expect(rabbitResourceRefusal(undefined, { kind: 'exchange', name: 'amq.topic', permission: 'read' })?.reason).toBe('resource_denied');
    expect(rabbitResourceRefusal({ kind: 'hotspot', address: 'x', region: 'EU868' }, { kind: 'queue', name: 'mqtt-subscription-qos1', permission: 'read', clientId: '' })?.reason).toBe('resource_denied');
  });
});
