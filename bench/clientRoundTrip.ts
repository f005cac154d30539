/**
 * Our client against our server: a 1 GiB random file uploaded and downloaded
 * with `sockftp connect`, SHA-256 compared, MiB/s per run, and the server's
 * peak RSS (VmHWM) over the whole run. Not part of `npm test`.
 *
 *   npm run bench:client -- [--size-mib N] [--runs N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../test/helpers/files.js';
import { CLI } from '../test/helpers/paths.js';
import { run } from '../test/helpers/processes.js';
import { startServer } from '../test/helpers/server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/** The VM hands freed memory back to its host; writing into fresh page cache is slow unless that memory was just used. */
function warmPageCache(dir: string, bytes: number): void {
  const scratch = path.join(dir, 'scratch');
  randomFile(scratch, bytes);
  fs.rmSync(scratch);
}

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const sizeMiB = arg('--size-mib', 1024);
const runs = arg('--runs', 3);
const root = tempDir('sockftp-bench-root-');
const work = tempDir('sockftp-bench-work-');
try {
  const source = path.join(work, 'big.bin');
  const sum = randomFile(source, sizeMiB * MiB);
  const server = await startServer(root);
  const client = (script: string) =>
    run(process.execPath, [CLI, 'connect', `127.0.0.1:${server.port}`], { cwd: work, input: script, timeoutMs: 600_000 }).then((r) => {
      if (r.code !== 0) throw new Error(`client failed: ${r.stdout}${r.stderr}`);
    });
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < runs; i++) {
    warmPageCache(work, sizeMiB * MiB * 1.25);
    up.push(sizeMiB / (await timed(() => client('upload -f big.bin\nbyebye\n'))));
    if ((await sha256File(path.join(root, 'big.bin'))) !== sum) throw new Error('uploaded file differs');
    fs.rmSync(path.join(work, 'back.bin'), { force: true });
    warmPageCache(work, sizeMiB * MiB * 1.25);
    down.push(sizeMiB / (await timed(() => client('download -f big.bin back.bin\nbyebye\n'))));
    if ((await sha256File(path.join(work, 'back.bin'))) !== sum) throw new Error('downloaded file differs');
  }
  const rss = peakRssMiB(server.process.pid!);
  await server.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} MiB/s (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`file: ${sizeMiB} MiB random, SHA-256 equal after every transfer`);
  console.log(`upload   ${fmt(up)}`);
  console.log(`download ${fmt(down)}`);
  console.log(`server peak RSS (VmHWM): ${rss.toFixed(1)} MiB`);
  console.log('(each figure includes starting the client process and logging in)');
} finally {
  removeDir(root);
  removeDir(work);
}
