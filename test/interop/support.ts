/**
 * What the interop tests share: trees of files to send through a client and
 * compare afterwards, and the commands a client really sent, read from the
 * server's `--log-level debug` output.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventually } from '../helpers/eventually.js';
import type { RunningServer } from '../helpers/server.js';

/** Relative "/"-separated path -> size in bytes. */
export type TreeSpec = Record<string, number>;

/** Relative "/"-separated path -> SHA-256, keys sorted, so two trees compare with deepEqual. */
export type TreeDigest = Record<string, string>;

/** A session's "connection opened" line in the server's log (its fields, the door among them, come before the session id); group 1 is the id. */
export const CONNECTION_OPENED = / connection opened (?:\S+ )*?session=(\d+)/g;

/** The server's arguments when a test wants to see the commands a client sent. */
export const LOG_COMMANDS = ['--log-level', 'debug'] as const;

/** Non-ASCII UTF-8 in a file name: two-byte and three-byte characters, and spaces. */
export const UTF8_NAME = 'größe ñ 日本.txt';

/** A UTF-8 locale for clients that convert file names to the local charset (lftp, wget). */
export const UTF8_ENV = { ...process.env, LC_ALL: 'C.UTF-8' };

/**
 * `count` files spread over nested directories, with spaces and non-ASCII
 * UTF-8 in names and sizes from 0 bytes to a few blocks.
 */
export function nestedTree(count: number): TreeSpec {
  const dirs = ['', 'docs', 'docs/with space', 'docs/with space/日本', 'ñandú', 'ñandú/deep/er/still'];
  const spec: TreeSpec = { [UTF8_NAME]: 1234, [`docs/with space/${UTF8_NAME}`]: 4321 };
  for (let i = 0; Object.keys(spec).length < count; i++) {
    const dir = dirs[i % dirs.length];
    const name = i % 3 === 0 ? `file ${i}.bin` : `f${i}.dat`;
    spec[dir === '' ? name : `${dir}/${name}`] = (i * 7919) % 100_000;
  }
  return spec;
}

/** Writes random bytes for every file of `spec` under `root` and returns the tree's digest. */
export function writeTree(root: string, spec: TreeSpec): TreeDigest {
  for (const [relative, size] of Object.entries(spec)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(size));
  }
  return digestTree(root);
}

/** Writes the first `bytes` bytes of `source` to `target`: a transfer cut short, for a client to resume. */
export function writePrefix(source: string, target: string, bytes: number): void {
  fs.writeFileSync(target, fs.readFileSync(source).subarray(0, bytes));
}

/** Every file below `dir`, by relative path, with its SHA-256. */
export function digestTree(dir: string): TreeDigest {
  const entries = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const pairs = entries.map((e): [string, string] => {
    const file = path.join(e.parentPath, e.name);
    return [path.relative(dir, file).split(path.sep).join('/'), createHash('sha256').update(fs.readFileSync(file)).digest('hex')];
  });
  return Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Starts recording; the returned function resolves with every command line
 * the server logged since, once all connections opened since have closed.
 * The server logs a command before replying to it, but its output reaches
 * this process through a pipe that may lag behind the client's exit.
 */
export function recordCommands(server: RunningServer): () => Promise<string[]> {
  const start = server.output().length;
  const since = () => server.output().slice(start);
  // By session id: a connection of an earlier test may still log its close after the start.
  const settled = () => {
    const text = since();
    const opened = [...text.matchAll(CONNECTION_OPENED)].map((m) => m[1]);
    return opened.length > 0 && opened.every((id) => new RegExp(` connection closed (?:\\S+ )*?session=${id} `).test(text));
  };
  return async () => {
    await eventually(settled, { what: "every connection opened since the recording began to close, in the server's log", detail: since });
    return [...since().matchAll(/ command=(.*)$/gm)].map((m) => m[1]);
  };
}

/** The verbs among logged command lines, in order. */
export function verbs(commands: readonly string[]): string[] {
  return commands.map((line) => line.split(' ')[0].toUpperCase());
}
