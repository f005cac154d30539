/**
 * Our client against curl, both downloading the same 1 GiB file from
 * pyftpdlib into a local file, interleaved (the order flips every
 * repetition), with the page cache put in the same state before each.
 * Target: our client at least 0.9 of curl. Not part of `npm test`.
 *
 *   npm run bench:client-vs-curl -- [--runs N] [--size-mib N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomFile, removeDir, sha256File, tempDir } from '../test/helpers/files.js';
import { CLI } from '../test/helpers/paths.js';
import { startPyftpdlib } from '../test/helpers/peers.js';
import { run } from '../test/helpers/processes.js';
import { MiB } from './paths.js';
import { readThrough, useFreshMemory } from './pageCache.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const runs = arg('--runs', 5);
const sizeMiB = arg('--size-mib', 1024);
const root = tempDir('sockftp-vs-curl-root-');
const work = tempDir('sockftp-vs-curl-work-');
const started = await startPyftpdlib(root);
if (!started.peer) {
  console.error(`cannot run: ${started.reason}`);
  process.exit(1);
}
const peer = started.peer;
try {
  const source = path.join(root, 'big.bin');
  const sum = randomFile(source, sizeMiB * MiB);
  const url = `ftp://${peer.host}:${peer.port}/big.bin`;
  const target = path.join(work, 'big.bin');
  const tools: Record<string, () => Promise<{ code: number | null; stderr: string }>> = {
    sockftp: () => run(process.execPath, [CLI, 'get', '-f', url, target], { timeoutMs: 600_000 }),
    curl: () => run('curl', ['--silent', '--show-error', '-o', target, url], { timeoutMs: 600_000 }),
  };
  const rates: Record<string, number[]> = { sockftp: [], curl: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['sockftp', 'curl'] : ['curl', 'sockftp'];
    for (const tool of order) {
      fs.rmSync(target, { force: true });
      useFreshMemory(work, sizeMiB * MiB * 1.25);
      readThrough(source);
      const begin = process.hrtime.bigint();
      const result = await tools[tool]();
      const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
      if (result.code !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
      if (fs.statSync(target).size !== sizeMiB * MiB) throw new Error(`${tool} wrote a file of the wrong size`);
      rates[tool].push(sizeMiB / seconds);
    }
  }
  if ((await sha256File(target)) !== sum) throw new Error('the last download differs from the source');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const show = (xs: number[]) => `${median(xs).toFixed(0)} MiB/s (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`${sizeMiB} MiB from pyftpdlib into a local file, ${runs} runs each, interleaved; each includes starting the process`);
  console.log(`sockftp get  ${show(rates.sockftp)}`);
  console.log(`curl         ${show(rates.curl)}`);
  console.log(`ratio: ${(median(rates.sockftp) / median(rates.curl)).toFixed(2)} (target >= 0.9)`);
} finally {
  await peer.stop();
  removeDir(root);
  removeDir(work);
}
