/**
 * TLS for control and data connections (RFC 4217). Every session gets its
 * own SecureContext with its own session-ticket keys: a data connection can
 * then resume only a TLS session issued on that session's control
 * connection, which is how "the data connection comes from the same client"
 * is proved, as vsftpd's require_ssl_reuse does.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { dataConnectionFailed } from '../core/errors.js';
import { onceWithin } from '../net/onceWithin.js';
import { tlsProfile } from '../net/tlsProfile.js';
import type { TlsConfig } from './ServerConfig.js';

let tlsModule: typeof tls | undefined;

/** node:tls is loaded at the first TLS use, not at start: it was about 1.2 MiB of an idle server without --tls-cert. */
function nodeTls(): typeof tls {
  return (tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof tls);
}

/** A session's context: the doors' TLS profile (net/tlsProfile.ts), the certificate, and ticket keys of its own. */
export function sessionSecureContext(config: TlsConfig): tls.SecureContext {
  return nodeTls().createSecureContext({ ...tlsProfile, cert: config.cert, key: config.key, ticketKeys: randomBytes(48) });
}

/** Starts TLS as the server on an accepted socket and resolves once the handshake is done. */
export async function acceptTls(socket: net.Socket, context: tls.SecureContext, timeoutMs: number): Promise<tls.TLSSocket> {
  const secure = new (nodeTls().TLSSocket)(socket, { isServer: true, secureContext: context });
  try {
    await onceWithin(secure, 'secure', { timeoutMs }, (why) =>
      dataConnectionFailed(why.kind === 'error' ? `TLS handshake failed: ${why.error.message}` : 'TLS handshake timed out'),
    );
  } catch (err) {
    secure.destroy();
    throw err;
  }
  return secure;
}

/** Checks a configured certificate and key once at start, so a bad pair is a clear error then, not at the first AUTH. */
export function checkTlsConfig(config: TlsConfig): void {
  sessionSecureContext(config);
}
