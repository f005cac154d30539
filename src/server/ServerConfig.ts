/** Everything that shapes a running server; the CLI builds it from flags. */
import type { AnonymousPolicy } from '../auth/anonymousPolicy.js';
import type { PortRange } from './DataChannel.js';

export interface ServerConfig {
  /** Served directory; anonymous users see it as "/". */
  readonly root: string;
  readonly host: string;
  readonly port: number;
  readonly pasvPorts: PortRange | null;
  /** Address advertised in PASV replies instead of the control connection's own (NAT, containers). */
  readonly pasvAddress: string | null;
  readonly anonymous: AnonymousPolicy;
  readonly maxClients: number;
  readonly maxPerIp: number;
  readonly idleTimeoutMs: number;
  /** How long a transfer waits for its data connection before 425. */
  readonly dataConnectTimeoutMs: number;
  readonly maxLineBytes: number;
}

export const DEFAULTS = {
  port: 9999,
  host: '127.0.0.1',
  maxClients: 2000,
  maxPerIp: 500,
  idleTimeoutMs: 300_000,
  dataConnectTimeoutMs: 30_000,
  maxLineBytes: 8192,
} as const;
