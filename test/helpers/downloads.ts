/** Downloads cut short on purpose, shared by the tests of the send paths and of integrity. */
import { once } from 'node:events';
import * as fs from 'node:fs';
import type { ControlConnection, FtpReply } from './ControlConnection.js';

/** RETRs `name` (TYPE I already set) and truncates `file` to `keep` bytes once its first bytes arrived; resolves with the final reply. */
export async function retrTruncatedMidway(conn: ControlConnection, name: string, file: string, keep: number): Promise<FtpReply> {
  const data = await conn.passive();
  await conn.expect(`RETR ${name}`, 150);
  await once(data, 'data');
  data.pause();
  fs.truncateSync(file, keep);
  data.resume();
  data.on('data', () => undefined);
  return conn.read();
}

/**
 * RETRs `name` (TYPE I already set), reads a little, stops reading (the
 * server then waits on a full socket buffer) and sends ABOR; resolves with
 * the aborted transfer's reply and ABOR's own, once the data connection closed.
 */
export async function abortMidway(conn: ControlConnection, name: string): Promise<[FtpReply, FtpReply]> {
  const data = await conn.passive();
  await conn.expect(`RETR ${name}`, 150);
  await once(data, 'data');
  // Stay paused until both replies are in: reading on would let a fast machine finish the file
  // before ABOR is read (CI once saw 226 and 225), and then nothing was aborted.
  data.pause();
  const closed = once(data, 'close');
  conn.write('ABOR\r\n');
  const replies: [FtpReply, FtpReply] = [await conn.read(), await conn.read()];
  data.resume();
  await closed;
  return replies;
}
