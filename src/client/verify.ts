/**
 * --verify: after a transfer, the SHA-256 of the local file against the
 * remote one. The server's HASH command computes the remote digest where it
 * has one (sockftp does; pyftpdlib and vsftpd do not); otherwise the remote
 * file is downloaded once more and hashed here, without being stored.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ClientError, toClientError } from './ClientError.js';
import type { FtpClient } from './FtpClient.js';

/** How the remote digest was had: the server's HASH, or a download hashed here. */
export type VerifyMethod = 'hash' | 'download';

/** Resolves with the method when both digests match; a mismatch is a ClientError of kind 'verify'. */
export async function verifyCopy(client: FtpClient, remote: string, local: string, signal?: AbortSignal): Promise<VerifyMethod> {
  const here = await sha256OfFile(local);
  const byHash = await client.serverSha256(remote);
  const method: VerifyMethod = byHash === null ? 'download' : 'hash';
  const there = byHash ?? (await client.sha256ByDownload(remote, { signal }));
  if (here === there) return method;
  const problem = method === 'hash' ? 'hashDiffersByHash' : 'hashDiffersByDownload';
  throw new ClientError([remote, { problem, args: [here.slice(0, 16), there.slice(0, 16)] }], 'verify');
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), hash);
  } catch (err) {
    throw toClientError(err, { local: file });
  }
  return hash.digest('hex');
}
