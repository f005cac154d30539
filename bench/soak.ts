/**
 * Soak run (`npm run soak`, not part of `npm test`): many clients doing mixed
 * uploads, downloads, listings, renames and deletes against one server on
 * loopback, every byte checked, bounded by time and by operation count.
 * Reports operations done, failures (must be 0), and the server's open
 * descriptors and RSS at the start and the end.
 *
 *   npm run soak -- [--clients 100] [--seconds 300] [--max-ops 1000000]
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { removeDir, tempDir } from '../test/helpers/files.js';
import { startServer, type RunningServer } from '../test/helpers/server.js';
import { stats, type ServerStats } from '../test/faults/support.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const CLIENTS = arg('--clients', 100);
const SECONDS = arg('--seconds', 300);
const MAX_OPS = arg('--max-ops', 1_000_000);

type Op = 'upload' | 'download' | 'list' | 'rename' | 'delete';
const counts: Record<Op, number> = { upload: 0, download: 0, list: 0, rename: 0, delete: 0 };
const failures: string[] = [];
let bytesMoved = 0;
let totalOps = 0;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** One client: its own directory, the files it believes are there, and their hashes. */
async function runClient(id: number, server: RunningServer, deadline: number): Promise<void> {
  const client = new Client(60_000);
  await client.access({ host: '127.0.0.1', port: server.port });
  const dir = `/c${id}`;
  await client.ensureDir(dir);
  const files = new Map<string, string>();
  let serial = 0;
  while (Date.now() < deadline && totalOps < MAX_OPS) {
    const names = [...files.keys()];
    const op: Op = names.length < 3 ? 'upload' : (['upload', 'download', 'download', 'list', 'rename', 'delete'] as const)[Math.floor(Math.random() * 6)];
    totalOps++;
    counts[op]++;
    try {
      await perform(op);
    } catch (err) {
      failures.push(`client ${id} ${op}: ${(err as Error).message}`);
      // A failed client reconnects and carries on, so one fault does not end the run.
      client.close();
      await client.access({ host: '127.0.0.1', port: server.port });
      await client.cd(dir);
    }
  }
  client.close();

  async function perform(op: Op): Promise<void> {
    const names = [...files.keys()];
    const pick = () => names[Math.floor(Math.random() * names.length)];
    switch (op) {
      case 'upload': {
        const data = randomBytes(Math.floor(Math.random() * 2 * 1024 * 1024));
        const name = `f${serial++}.bin`;
        await client.uploadFrom(Readable.from([data]), name);
        files.set(name, sha(data));
        bytesMoved += data.length;
        return;
      }
      case 'download': {
        const name = pick();
        const chunks: Buffer[] = [];
        await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), name);
        const data = Buffer.concat(chunks);
        bytesMoved += data.length;
        if (sha(data) !== files.get(name)) throw new Error(`${name}: downloaded bytes differ from what was uploaded`);
        return;
      }
      case 'list': {
        const listed = (await client.list())
          .map((f) => f.name)
          .sort()
          .join(',');
        const expected = [...files.keys()].sort().join(',');
        if (listed !== expected) throw new Error(`listing shows [${listed}], expected [${expected}]`);
        return;
      }
      case 'rename': {
        const from = pick();
        const to = `r${serial++}.bin`;
        await client.rename(from, to);
        files.set(to, files.get(from)!);
        files.delete(from);
        return;
      }
      case 'delete': {
        const name = pick();
        await client.remove(name);
        files.delete(name);
        return;
      }
    }
  }
}

const root = tempDir('sockftp-soak-');
const server = await startServer(root, ['--max-per-ip', String(CLIENTS + 10), '--log-format', 'json', '--log-level', 'warn']);
try {
  const start: ServerStats = await stats(server);
  const began = Date.now();
  const deadline = began + SECONDS * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(i, server, deadline)));
  const seconds = (Date.now() - began) / 1000;
  // The last QUITs may still be in flight: give the server a moment (bounded) to see every session close.
  let end: ServerStats = await stats(server);
  for (let i = 0; i < 50 && end.sessions > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    end = await stats(server);
  }
  console.log(`soak: ${CLIENTS} clients for ${seconds.toFixed(0)} s on loopback`);
  console.log(
    `operations: ${totalOps} (${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), ${(totalOps / seconds).toFixed(0)}/s`,
  );
  console.log(`bytes moved and checked: ${(bytesMoved / 1024 / 1024).toFixed(0)} MiB`);
  console.log(`failures: ${failures.length}`);
  for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
  console.log(`server fds: ${start.fds} at start (with ${start.sessions} sessions), ${end.fds} at end (with ${end.sessions} sessions)`);
  console.log(`server RSS: ${start.rssMiB} MiB at start, ${end.rssMiB} MiB at end; heap ${start.heapUsedMiB} -> ${end.heapUsedMiB} MiB`);
  process.exitCode = failures.length === 0 ? 0 : 1;
} finally {
  await server.stop();
  removeDir(root);
}
