/** Everything that shapes the FTP door; the CLI builds it from flags. */
import type { AppConfig } from '../app/App.js';
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

/** The FTP door's own settings; the core's (root, accounts, limits) are beside them in AppConfig. */
export interface FtpConfig {
  readonly host: string;
  readonly port: number;
  readonly pasvPorts: PortRange | null;
  /** Address advertised in PASV replies instead of the control connection's own (NAT, containers). */
  readonly pasvAddress: string | null;
  readonly tls: TlsConfig | null;
  /** How long a transfer waits for its data connection before 425. */
  readonly dataConnectTimeoutMs: number;
  readonly maxLineBytes: number;
  /** Load balancers whose connections start with a PROXY header naming the client (--proxy-protocol-from); absent or null: none. */
  readonly proxyProtocolFrom?: CidrList | null;
}

/** Everything an FTP session reads: the door's settings and the core's, the limits as they are now (SIGHUP may change them). */
export type ServerConfig = AppConfig & FtpConfig;

/** The FTP door's defaults; the core's (limits, timeouts, the login guard) are APP_DEFAULTS in app/defaults.ts. */
export const DEFAULTS = {
  port: 9999,
  host: '127.0.0.1',
  dataConnectTimeoutMs: 30_000,
  maxLineBytes: 8192,
} as const;
