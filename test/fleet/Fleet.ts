/**
 * A fleet on one machine: a Ceph RGW bucket, three sockftp instances on
 * 127.0.0.2, .3 and .4 serving it (the real CLI, each with its admin
 * listener), and HAProxy on 127.0.0.1 in TCP mode in front of them, sending
 * PROXY v2 from 127.0.0.10 (the only address the instances trust for it)
 * and health-checking each instance's /readyz. One address for everything
 * (the second layout of docs/load-balancing.md): each instance advertises
 * 127.0.0.1 and a passive port range of its own, which HAProxy routes to it,
 * with a PROXY header too, so EPSV clients (which connect to the control
 * connection's address) work. Instances can be killed and started again on
 * the same ports.
 */
import { randomInt } from 'node:crypto';
import { freePort } from '../helpers/ports.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { withRgwEnv, type Rgw } from '../helpers/rgw.js';
import { startServer, type RunningServer } from '../helpers/server.js';

export const PROXY_SOURCE = '127.0.0.10';
export const BACKEND = 'ftp';
const INSTANCE_HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
/** Passive ports per instance; below Linux's ephemeral range, so nothing else takes them meanwhile. */
const PASSIVE_PORTS = 100;

export interface Instance {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly adminPort: number;
  readonly passivePorts: readonly [number, number];
  server: RunningServer;
}

export class Fleet {
  private constructor(
    readonly bucket: string,
    readonly instances: Instance[],
    readonly haproxy: Haproxy,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly rgw: Rgw,
  ) {}

  static async start(rgw: Rgw, bucket: string): Promise<Fleet | string> {
    const env = withRgwEnv(rgw, { ...process.env });
    const instances: Instance[] = [];
    const stopAll = () => Promise.all(instances.map((i) => i.server.stop()));
    const base = randomInt(20_000, 32_000 - INSTANCE_HOSTS.length * PASSIVE_PORTS);
    try {
      for (const [i, host] of INSTANCE_HOSTS.entries()) {
        const port = await freePort(host);
        const adminPort = await freePort(host);
        const low = base + i * PASSIVE_PORTS;
        const spec = { name: `i${i + 1}`, host, port, adminPort, passivePorts: [low, low + PASSIVE_PORTS - 1] as const };
        instances.push({ ...spec, server: await startInstance(spec, bucket, rgw, env) });
      }
      const port = await freePort();
      const started = await startHaproxy([
        {
          name: BACKEND,
          bind: { host: '127.0.0.1', port },
          sendProxyV2: true,
          source: PROXY_SOURCE,
          servers: instances.map((i) => ({ name: i.name, host: i.host, port: i.port, checkPort: i.adminPort })),
        },
        // Each instance's passive range on the one address, to that instance only, and without a
        // readiness check: a draining instance still owes its sessions their data connections.
        ...instances.map((i) => ({
          name: `data-${i.name}`,
          bind: { host: '127.0.0.1', ports: i.passivePorts },
          sendProxyV2: true,
          source: PROXY_SOURCE,
          servers: [{ name: i.name, host: i.host }],
        })),
      ]);
      if (!started.haproxy) {
        await stopAll();
        return started.reason;
      }
      const fleet = new Fleet(bucket, instances, started.haproxy, port, env, rgw);
      for (const i of instances) await fleet.haproxy.waitForState(BACKEND, i.name, 'UP');
      return fleet;
    } catch (err) {
      await stopAll();
      throw err;
    }
  }

  get url(): string {
    return `ftp://127.0.0.1:${this.port}`;
  }

  /** The environment our client and other tools run in: the same as the test's, without the store's keys (clients need none). */
  get clientEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const key of Object.keys(this.rgw.env())) delete env[key];
    return env;
  }

  /** How much each instance has printed so far, to look only at what comes after. */
  mark(): Map<Instance, number> {
    return new Map(this.instances.map((i) => [i, i.server.output().length]));
  }

  /** The instance whose output (since `mark`) shows `text` (a session's client port, a command...), if any. */
  instanceWith(text: string, mark?: Map<Instance, number>): Instance | undefined {
    return this.instances.find((i) =>
      i.server
        .output()
        .slice(mark?.get(i) ?? 0)
        .includes(text),
    );
  }

  /** Kills an instance at once (SIGKILL: no shutdown, no cleanup) and waits until HAProxy has it DOWN. */
  async kill(instance: Instance): Promise<void> {
    instance.server.process.kill('SIGKILL');
    await instance.server.stop();
    await this.haproxy.waitForState(BACKEND, instance.name, 'DOWN');
  }

  /** Starts an instance again on its ports (extra flags appended) and waits until HAProxy has it UP. */
  async restart(instance: Instance, extra: readonly string[] = []): Promise<void> {
    instance.server = await startInstance(instance, this.bucket, this.rgw, this.env, extra);
    await this.haproxy.waitForState(BACKEND, instance.name, 'UP');
  }

  async stop(): Promise<void> {
    await this.haproxy.stop();
    await Promise.all(this.instances.map((i) => i.server.stop()));
  }
}

function startInstance(
  instance: Omit<Instance, 'server'>,
  bucket: string,
  rgw: Rgw,
  env: NodeJS.ProcessEnv,
  extra: readonly string[] = [],
): Promise<RunningServer> {
  return startServer(
    `s3://${bucket}`,
    [
      '--host',
      instance.host,
      '--port',
      String(instance.port),
      '--admin-address',
      `${instance.host}:${instance.adminPort}`,
      '--proxy-protocol-from',
      `${PROXY_SOURCE}/32`,
      '--pasv-address',
      '127.0.0.1',
      '--pasv-ports',
      instance.passivePorts.join('-'),
      '--s3-endpoint',
      rgw.endpoint,
      '--s3-path-style',
      '--s3-part-size',
      '8',
      '--log-format',
      'json',
      '--log-level',
      'debug',
      '--shutdown-grace',
      '60',
      // Long enough that a session of a draining instance surely still runs a command in the drain test.
      '--drain-delay',
      '5',
      ...extra,
    ],
    [],
    env,
  );
}
