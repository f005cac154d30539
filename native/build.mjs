// Builds native/build/sendfile.node with the system's C compiler, at install
// time (package.json "install"). Optional: without a compiler, on a system
// other than Linux, or when the build fails, it prints one line and exits 0,
// and sockftp sends with its pure JavaScript path. Not node-gyp: that would
// download Node's headers; node-api-headers (a dependency) has all it needs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'build', 'sendfile.node');

function skip(why) {
  rmSync(output, { force: true });
  console.log(`sockftp: native sendfile not built (${why}); downloads use the JavaScript path`);
  process.exit(0);
}

if (process.env.SOCKFTP_NO_NATIVE === '1') skip('SOCKFTP_NO_NATIVE=1');
if (process.platform !== 'linux') skip(`not supported on ${process.platform}`);
let include;
try {
  include = createRequire(import.meta.url)('node-api-headers').include_dir;
} catch {
  skip('node-api-headers is not installed');
}
const cc = process.env.CC || 'cc';
mkdirSync(dirname(output), { recursive: true });
const args = ['-shared', '-fPIC', '-O2', '-Wall', `-I${include}`, '-DNODE_GYP_MODULE_NAME=sendfile', '-o', output, join(here, 'sendfile.c')];
const run = spawnSync(cc, args, { encoding: 'utf8' });
if (run.error) skip(`no C compiler: ${cc} ${run.error.code === 'ENOENT' ? 'not found' : run.error.message}`);
if (run.status !== 0) skip(`${cc} failed: ${(run.stderr || '').trim().split('\n')[0]}`);
console.log(`sockftp: native sendfile built (${output})`);
