/** Who may log in anonymously, and with what rights (DESIGN.md: write on loopback, read otherwise). */
import { isLoopbackHost } from '../protocol/hosts.js';

export type AnonymousPolicy = 'off' | 'read' | 'write';

export const ANONYMOUS_NAMES: ReadonlySet<string> = new Set(['anonymous', 'ftp']);

export function defaultAnonymousPolicy(bindHost: string): AnonymousPolicy {
  return isLoopbackHost(bindHost) ? 'write' : 'read';
}

export function parseAnonymousPolicy(text: string): AnonymousPolicy | null {
  return text === 'off' || text === 'read' || text === 'write' ? text : null;
}
