/**
 * A parsed target plus the command line's flags: the address, the login
 * (credentials.ts) and the connection options. Shared by `connect`, the
 * shell's `open` and the one-shot commands, so all three read a URL alike.
 */
import { ClientError } from './ClientError.js';
import { resolveCredentials } from './credentials.js';
import type { Destination } from './FtpClient.js';
import { parseTarget, type FtpUrl } from './target.js';

export interface ConnectionFlags {
  /** --user; a user in the URL counts when this is null. */
  readonly user: string | null;
  readonly active: boolean;
  /** --tls: explicit FTPS (AUTH TLS); an ftps:// URL means implicit FTPS whatever this says. */
  readonly tls: boolean;
  readonly insecure: boolean;
}

export async function destinationFor(target: FtpUrl, flags: ConnectionFlags, prompt: ((user: string) => Promise<string>) | null): Promise<Destination> {
  const credentials = await resolveCredentials({ host: target.address.host, user: flags.user ?? target.user, password: target.password, prompt });
  const tls = target.implicitTls ? 'implicit' : flags.tls ? 'explicit' : null;
  return { address: target.address, credentials, options: { active: flags.active, tls, insecure: flags.insecure } };
}

/** HOST[:PORT] or a URL, as `connect` and `open` take it; a malformed one is a usage error. */
export function parseTargetOrFail(text: string | undefined): FtpUrl {
  const target = parseTarget(text);
  if (!target) throw new ClientError([{ problem: 'badTarget', args: [text ?? ''] }], 'usage');
  return target;
}
