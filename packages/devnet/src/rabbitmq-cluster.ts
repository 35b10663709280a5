import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort } from './embedded-postgres';

const run = promisify(execFile);

/** Debian's rabbitmq-server package (3.10): the scripts that run a node as the current user, no service wrapper. */
const RABBITMQ_BIN = process.env.RABBITMQ_BIN_DIR ?? '/usr/lib/rabbitmq/bin';
const EPMD = process.env.EPMD_BIN ?? '/usr/bin/epmd';

export interface RabbitNode {
  /** Erlang node name, `rabbit-poc-<n>@localhost`. */
  name: string;
  amqpPort: number;
  mqttPort: number;
  /** `mqtt://127.0.0.1:<port>` (credentials go in the client options). */
  mqttUrl: string;
  /** `amqp://127.0.0.1:<port>` without credentials; add them with `amqpUrlFor`. */
  amqpUrl: string;
  running(): boolean;
}

export interface RabbitCluster {
  nodes: RabbitNode[];
  /** Quorum-queue replication and MQTT session queues are spread over all nodes: any node serves any client. */
  mqttUrls(): string[];
  amqpUrlFor(node: number, username: string, password: string): string;
  /** SIGKILL the node's whole process group: no shutdown, no flush — a crashed machine. */
  kill(node: number): Promise<void>;
  /** Starts a stopped or killed node again with its data directory; resolves once it serves AMQP and MQTT. */
  start(node: number): Promise<void>;
  /** `rabbitmqctl -n <node> …`, for checks such as `list_queues`. */
  ctl(node: number, args: string[]): Promise<string>;
  /** Kills every node and the cluster's own epmd, and removes the data directory. */
  stop(): Promise<void>;
}

export interface RabbitClusterOptions {
  /** Base URL of the broker auth service (`startBrokerAuthService`): its /rabbitmq/{user,vhost,resource,topic} routes decide every login and access. */
  authServiceUrl: string;
  nodes?: number;
  /** Bound on the whole start (all nodes up, clustered and accepting the readiness login); default 180 s. */
  startTimeoutMs?: number;
  /**
   * A service login the auth service accepts: a node counts as started once it accepts this MQTT login (its
   * client-id tracker, a Raft cluster of its own, answers "server unavailable" for a while after the node is up).
   */
  readinessLogin?: { username: string; password: string };
}

const mqttString = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

/** One MQTT 3.1.1 CONNECT with a clean session; resolves with the CONNACK return code (0 = accepted), or -1. */
function mqttLoginCode(port: number, username: string, password: string): Promise<number> {
  const body = Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0xc2, 0, 30]), mqttString(`devnet-probe-${process.pid}-${port}`), mqttString(username), mqttString(password)]);
  if (body.length > 127) throw new Error('readiness login too long for the probe');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])));
    let answer = Buffer.alloc(0);
    const done = (code: number) => {
      clearTimeout(timer);
      if (code === 0) socket.write(Buffer.from([0xe0, 0])); // DISCONNECT
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done(-1), 10_000);
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length >= 4) done(answer[0] === 0x20 ? answer[3]! : -1);
    });
    socket.once('error', () => done(-1));
    socket.once('close', () => done(-1));
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The node's rabbitmq.conf. Settings that matter for the network (docs/operations.md "Clustered broker"):
 * - `mqtt.durable_queue_type = quorum`: a hotspot's QoS 1 session queue (its entropy subscription) is replicated, so
 *   it can reconnect to any surviving node with clean_session=false;
 * - the HTTP auth backend only (no internal users): the shared auth service holds the rules;
 * - classic-config peer discovery: the nodes find each other from this list, no `join_cluster` step.
 */
function nodeConfig(o: { amqpPort: number; mqttPort: number; nodeNames: string[]; authServiceUrl: string; logFile: string }): string {
  const auth = o.authServiceUrl.replace(/\/$/, '');
  return [
    `listeners.tcp.1 = 127.0.0.1:${o.amqpPort}`,
    `mqtt.listeners.tcp.1 = 127.0.0.1:${o.mqttPort}`,
    'mqtt.allow_anonymous = false',
    'mqtt.vhost = /',
    'mqtt.exchange = amq.topic',
    'mqtt.durable_queue_type = quorum',
    // Messages the broker pushes to one MQTT subscriber before its PUBACKs (the MQTT in-flight window).
    'mqtt.prefetch = 100',
    'auth_backends.1 = http',
    'auth_http.http_method = post',
    `auth_http.user_path = ${auth}/rabbitmq/user`,
    `auth_http.vhost_path = ${auth}/rabbitmq/vhost`,
    `auth_http.resource_path = ${auth}/rabbitmq/resource`,
    `auth_http.topic_path = ${auth}/rabbitmq/topic`,
    'loopback_users = none',
    'cluster_formation.peer_discovery_backend = classic_config',
    ...o.nodeNames.map((name, i) => `cluster_formation.classic_config.nodes.${i + 1} = ${name}`),
    // A node that lost its peers waits for them instead of running as a second cluster.
    'cluster_partition_handling = pause_minority',
    `log.file = ${o.logFile}`,
    'log.file.level = warning',
    'log.console = false',
    'vm_memory_high_watermark.absolute = 2GB',
    'disk_free_limit.absolute = 100MB',
  ].join('\n') + '\n';
}

/**
 * A real RabbitMQ cluster (Debian's rabbitmq-server with its MQTT and HTTP-auth plugins) on loopback: `nodes` nodes
 * named `rabbit-poc-<n>@localhost` with their own ports, Erlang cookie, epmd port and data under one temporary
 * directory, so a default node from the package (port 5672, epmd 4369) is never touched. Each node runs in its own
 * process group so a test can SIGKILL it like a crashed machine.
 */
export async function startRabbitCluster(options: RabbitClusterOptions): Promise<RabbitCluster> {
  if (!existsSync(join(RABBITMQ_BIN, 'rabbitmq-server'))) throw new Error(`no ${RABBITMQ_BIN}/rabbitmq-server (apt-get install rabbitmq-server)`);
  const count = options.nodes ?? 3;
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  const dir = await mkdtemp(join(tmpdir(), 'rabbitmq-cluster-'));
  await writeFile(join(dir, '.erlang.cookie'), randomBytes(24).toString('hex'), { mode: 0o400 });
  await writeFile(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt,rabbitmq_auth_backend_http].\n');
  await writeFile(join(dir, 'rabbitmq-env.conf'), '');
  const epmdPort = await freePort();
  const nodeNames = Array.from({ length: count }, (_, i) => `rabbit-poc-${i + 1}@localhost`);
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    ERL_EPMD_PORT: String(epmdPort),
    // Lets stop() end the cluster's epmd with `epmd -kill` while the killed nodes may still be registered in it;
    // without it epmd refuses and one daemon per cluster outlives the test (erts epmd(1): -relaxed_command_check).
    ERL_EPMD_RELAXED_COMMAND_CHECK: '1',
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
  };
  const specs: { name: string; amqpPort: number; mqttPort: number; env: NodeJS.ProcessEnv }[] = [];
  for (let i = 0; i < count; i++) {
    const nodeDir = join(dir, `node${i + 1}`);
    await mkdir(join(nodeDir, 'log'), { recursive: true });
    const [amqpPort, mqttPort, distPort] = [await freePort(), await freePort(), await freePort()];
    await writeFile(join(nodeDir, 'rabbitmq.conf'), nodeConfig({ amqpPort, mqttPort, nodeNames, authServiceUrl: options.authServiceUrl, logFile: join(nodeDir, 'log', 'rabbit.log') }));
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      RABBITMQ_NODENAME: nodeNames[i],
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_CONFIG_FILE: join(nodeDir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(nodeDir, 'advanced.config'),
      RABBITMQ_MNESIA_BASE: join(nodeDir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(nodeDir, 'log'),
      RABBITMQ_PID_FILE: join(nodeDir, 'rabbit.pid'),
    };
    specs.push({ name: nodeNames[i]!, amqpPort, mqttPort, env });
  }
  const children: (ChildProcess | null)[] = specs.map(() => null);
  const killGroup = (child: ChildProcess | null) => {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const onExit = () => {
    children.forEach(killGroup);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const ctl = async (node: number, args: string[], timeoutMs = 60_000): Promise<string> => {
    const { stdout } = await run(join(RABBITMQ_BIN, 'rabbitmqctl'), ['-n', specs[node]!.name, ...args], { env: specs[node]!.env, timeout: timeoutMs });
    return stdout;
  };

  const launch = (node: number) => {
    const child = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], { env: specs[node]!.env, stdio: 'ignore', detached: true });
    child.once('error', () => {});
    children[node] = child;
  };
  const serving = async (node: number) => {
    const { amqpPort, mqttPort } = specs[node]!;
    if (!((await portOpen(amqpPort)) && (await portOpen(mqttPort)))) return false;
    const login = options.readinessLogin;
    return !login || (await mqttLoginCode(mqttPort, login.username, login.password)) === 0;
  };
  const waitServing = async (node: number, until: number) => {
    while (!(await serving(node))) {
      const child = children[node];
      if (!child || child.exitCode !== null) throw new Error(`RabbitMQ node ${specs[node]!.name} exited during start; see ${join(dir, `node${node + 1}`, 'log')}`);
      if (Date.now() > until) throw new Error(`RabbitMQ node ${specs[node]!.name} did not serve AMQP and MQTT in time; see ${join(dir, `node${node + 1}`, 'log')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const stop = async () => {
    process.off('exit', onExit);
    const exits = children.map((child) => (child && child.exitCode === null && child.signalCode === null ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve()));
    children.forEach(killGroup);
    await Promise.all(exits);
    await run(EPMD, ['-port', String(epmdPort), '-kill'], { env: baseEnv, timeout: 10_000 }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    specs.forEach((_, i) => launch(i));
    for (let i = 0; i < count; i++) {
      const { amqpPort, mqttPort } = specs[i]!;
      while (!((await portOpen(amqpPort)) && (await portOpen(mqttPort)))) {
        if (children[i]?.exitCode !== null || Date.now() > deadline) throw new Error(`RabbitMQ node ${specs[i]!.name} did not start; see ${join(dir, `node${i + 1}`, 'log')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await ctl(0, ['await_online_nodes', String(count), '--timeout', String(Math.max(1000, deadline - Date.now()))], Math.max(1000, deadline - Date.now()) + 5000);
    for (let i = 0; i < count; i++) await waitServing(i, deadline);
  } catch (error) {
    // The nodes' logs go with the directory: keep the end of each in the error.
    const tails = specs.map((s, i) => {
      try {
        return `--- ${s.name}\n${readFileSync(join(dir, `node${i + 1}`, 'log', 'rabbit.log'), 'utf8').slice(-1500)}`;
      } catch {
        return `--- ${s.name}: no log`;
      }
    });
    await stop();
    throw new Error(`${(error as Error).message}\n${tails.join('\n')}`);
  }

  return {
    nodes: specs.map((s, i) => ({
      name: s.name,
      amqpPort: s.amqpPort,
      mqttPort: s.mqttPort,
      mqttUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
      amqpUrl: `amqp://127.0.0.1:${s.amqpPort}`,
      running: () => children[i] !== null && children[i]!.exitCode === null && children[i]!.signalCode === null,
    })),
    mqttUrls: () => specs.map((s) => `mqtt://127.0.0.1:${s.mqttPort}`),
    amqpUrlFor: (node, username, password) => `amqp://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${specs[node]!.amqpPort}`,
    async kill(node) {
      const child = children[node] ?? null;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child);
      await exited;
      children[node] = null;
    },
    async start(node) {
      if (children[node]) return;
      launch(node);
      await waitServing(node, Date.now() + (options.startTimeoutMs ?? 180_000));
    },
    ctl: (node, args) => ctl(node, args),
    stop,
  };
}
