/** Everything that shapes a running server; the CLI builds it from flags. */
import type { AnonymousPolicy } from '../auth/anonymousPolicy.js';
import type { LoginGuardOptions } from '../auth/LoginGuard.js';
import type { CidrList } from '../net/cidr.js';
import type { PortRange } from '../net/PassiveListener.js';

export interface TlsConfig {
  /** PEM text of the certificate chain and its key. */
  readonly cert: string;
  readonly key: string;
  /** Plain USER/PASS refused before AUTH TLS; PROT P required for data from non-loopback clients. */
  readonly required: boolean;
  /** PROT P data connections must resume the control connection's TLS session (vsftpd's require_ssl_reuse). */
  readonly sessionReuse: boolean;
  /** A second port where connections are TLS from the first byte (implicit FTPS), or null. */
  readonly implicitPort: number | null;
}

export interface ServerConfig {
  /** Served directory; anonymous users see it as "/", and so do accounts without a home. */
  readonly root: string;
  readonly host: string;
  readonly port: number;
  readonly pasvPorts: PortRange | null;
  /** Address advertised in PASV replies instead of the control connection's own (NAT, containers). */
  readonly pasvAddress: string | null;
  readonly anonymous: AnonymousPolicy;
  readonly usersFile: string | null;
  readonly tls: TlsConfig | null;
  readonly maxClients: number;
  readonly maxPerIp: number;
  /** A session that completes no command for this long is closed with 421 (bytes alone don't count). */
  readonly idleTimeoutMs: number;
  /** A session not logged in after this long is closed with 421. */
  readonly loginTimeoutMs: number;
  /** How long a transfer waits for its data connection before 425. */
  readonly dataConnectTimeoutMs: number;
  readonly maxLineBytes: number;
  readonly loginGuard: LoginGuardOptions;
  /** Load balancers whose connections start with a PROXY header naming the client (--proxy-protocol-from); absent or null: none. */
  readonly proxyProtocolFrom?: CidrList | null;
}

/** What a running server can change (SIGHUP, FtpServer.updateLimits): new sessions and the next timers get the new values. */
export type Limits = Pick<ServerConfig, 'maxClients' | 'maxPerIp' | 'idleTimeoutMs' | 'loginTimeoutMs' | 'loginGuard'>;

export const DEFAULTS = {
  port: 9999,
  host: '127.0.0.1',
  maxClients: 2000,
  maxPerIp: 50,
  idleTimeoutMs: 300_000,
  loginTimeoutMs: 60_000,
  dataConnectTimeoutMs: 30_000,
  maxLineBytes: 8192,
  loginGuard: { maxFailures: 10, windowMs: 600_000, banMs: 900_000, baseDelayMs: 250, maxDelayMs: 4_000 },
} as const;
