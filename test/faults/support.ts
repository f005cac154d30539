/**
 * What the fault tests share: the server's own account of itself (SIGUSR2
 * stats and JSON log events), and files that must be intact or absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTempName } from '../../src/storage/local/temporaries.js';
import type { RunningServer } from '../helpers/server.js';

export interface LogEvent {
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** The JSON log events printed so far (the server runs with --log-format json). */
export function events(server: RunningServer, msg?: string): LogEvent[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogEvent)
    .filter((e) => msg === undefined || e.msg === msg);
}

/** Waits until the server has logged `count` events with this message. */
export async function waitForEvents(server: RunningServer, msg: string, count: number, timeoutMs = 60_000): Promise<LogEvent[]> {
  const needle = `"msg":"${msg}"`;
  const occurrences = (text: string) => text.split(needle).length - 1;
  await server.waitForOutput((text) => occurrences(text) >= count, timeoutMs);
  return events(server, msg);
}

export interface ServerStats {
  readonly sessions: number;
  readonly transfers: number;
  readonly fds: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

/** Asks the server for its stats (SIGUSR2) and reads the answer from its log. */
export async function stats(server: RunningServer): Promise<ServerStats> {
  const before = events(server, 'stats').length;
  server.process.kill('SIGUSR2');
  const all = await waitForEvents(server, 'stats', before + 1);
  return all[all.length - 1] as unknown as ServerStats;
}

/** Upload temporaries anywhere under `dir`. */
export function temporaries(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && isTempName(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}
