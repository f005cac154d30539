/** Who may log in anonymously, and with what rights (by default: write on loopback, read otherwise). */
import { isLoopbackHost } from '../net/hosts.js';

export type AnonymousPolicy = 'off' | 'read' | 'write';

export const ANONYMOUS_NAMES: ReadonlySet<string> = new Set(['anonymous', 'ftp']);

/** Write only if every door (FTP, and the web's --http-address) listens on loopback: anyone else who can reach one reads only. */
export function defaultAnonymousPolicy(...bindHosts: string[]): AnonymousPolicy {
  return bindHosts.every(isLoopbackHost) ? 'write' : 'read';
}

export function parseAnonymousPolicy(text: string): AnonymousPolicy | null {
  return text === 'off' || text === 'read' || text === 'write' ? text : null;
}
