/** --admin-address and its companions: where the admin listener goes, and starting it on the core. */
import type { AdminServer } from '../admin/AdminServer.js';
import { isLoopbackHost } from '../net/hosts.js';
import type { App } from '../app/App.js';
import type { CidrList } from '../net/cidr.js';
import { CliError } from './CliError.js';
import { FlagError } from './FlagError.js';
import { parseHostPort } from './parse.js';

/** How long /healthz waits for the greeting: a server that takes longer is not serving. */
const PROBE_TIMEOUT_MS = 2_000;

export interface AdminAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * HOST:PORT ([::1]:9100 for IPv6). Metrics name users' addresses and counts;
 * a host other than loopback needs `exposed` (--admin-public) to say it is meant.
 */
export function parseAdminAddress(text: string, exposed: boolean): AdminAddress {
  const { host, port } = parseHostPort(text, '--admin-address');
  if (!exposed && !isLoopbackHost(host))
    throw new FlagError('--admin-address', `${text} is not a loopback address; add --admin-public to serve /metrics to the network`);
  return { host, port };
}

/** The listener /healthz greets: the FTP door's URL, and the load balancers it takes PROXY headers from. */
export interface ProbeTarget {
  readonly url: string;
  readonly proxyProtocolFrom: CidrList | null;
}

/** Starts the admin listener on the core, its metrics fed by the core's events; listening once this resolves. */
export type StartAdmin = (address: AdminAddress, app: App, probe: ProbeTarget) => Promise<AdminServer>;

/**
 * The admin listener's code, loaded only with --admin-address: prom-client
 * and node:http were about 10 MiB of an idle server's memory. Load it before
 * the FTP listener opens, so the metrics see every session from the first.
 */
export async function loadAdmin(): Promise<StartAdmin> {
  const [{ AdminServer }, { probeGreeting }, { createMetrics }] = await Promise.all([
    import('../admin/AdminServer.js'),
    import('../admin/greetingProbe.js'),
    import('../admin/metrics.js'),
  ]);
  return async (address, app, target) => {
    const metrics = createMetrics(app.events, app.doorNames);
    const ftp = new URL(target.url);
    const probeHost = selfAddress(ftp.hostname.replace(/^\[|\]$/g, ''));
    const admin = new AdminServer({
      ...address,
      metrics,
      events: app.events,
      probe: () => probeGreeting(probeHost, Number(ftp.port), PROBE_TIMEOUT_MS, (local) => target.proxyProtocolFrom?.contains(local) ?? false),
    });
    try {
      await admin.listen();
    } catch (err) {
      throw new CliError(`cannot listen on --admin-address ${address.host}:${address.port}: ${(err as Error).message}`);
    }
    return admin;
  };
}

/** Where to reach our own listener: a wildcard address is reached on loopback. */
function selfAddress(bound: string): string {
  if (bound === '0.0.0.0') return '127.0.0.1';
  if (bound === '::') return '::1';
  return bound;
}
