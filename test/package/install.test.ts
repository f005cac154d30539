/**
 * What a user does with the package: `npm pack` (its "prepare" compiles
 * dist/, here in a copy of the checkout so that the dist/ other test files
 * run from is not rewritten under them), `npm install` of the tarball into an
 * empty prefix, and the installed `sockftp serve`, which must log a user in,
 * send a file and serve the web door's vendored tus-js-client. Globally with
 * a C compiler (the install builds the addon and downloads go through
 * sendfile), globally without one (one line, exit 0, the JavaScript path),
 * and into a project, where npm puts the dependencies beside sockftp rather
 * than inside it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { MiB, randomFile, removeDir, tempDir } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { hasProgram, run, type RunResult } from '../helpers/processes.js';
import { startCommand } from '../helpers/server.js';

/** One npm command: the pack compiles the whole project, and a cold install fetches some seventy packages. */
const NPM_TIMEOUT_MS = 5 * 60_000;
const NO_COMPILER = '/nonexistent/cc';

interface TransferLine {
  msg: string;
  path: string;
  zeroCopyBytes?: number;
}

/** A user's shell: none of the npm_* variables `npm test` gives its scripts, this node first on PATH, the addon not turned off. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'SOCKFTP_NO_NATIVE'));
  env.PATH = [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter);
  return { ...env, ...extra };
}

function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return run('npm', ['--no-audit', '--no-fund', ...args], { cwd, env, timeoutMs: NPM_TIMEOUT_MS });
}

/** The checkout's files as git sees them (tracked or new, not ignored), copied with their current contents. */
async function copyCheckout(into: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  assert.equal(listed.code, 0, listed.stderr);
  for (const name of listed.stdout.split('\0')) {
    const from = path.join(REPO_ROOT, name);
    // A deleted file git still tracks, and the node_modules link a worktree may have, are not copied.
    if (name === '' || !fs.lstatSync(from, { throwIfNoEntry: false })?.isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(into, name)), { recursive: true });
    fs.copyFileSync(from, path.join(into, name));
  }
  fs.symlinkSync(fs.realpathSync(path.join(REPO_ROOT, 'node_modules')), path.join(into, 'node_modules'));
}

/** `npm pack` of a copy of this checkout into `dir`: the tarball's path. */
async function pack(dir: string): Promise<string> {
  const source = path.join(dir, 'source');
  await copyCheckout(source);
  const packed = await npm(['pack', '--pack-destination', dir], source, userEnv());
  assert.equal(packed.code, 0, packed.stdout + packed.stderr);
  const tarballs = fs.readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, tarballs.join(', '));
  return path.join(dir, tarballs[0]);
}

/** The installed `sockftp serve` on `root`: one download over FTP, through sendfile or not as `native` says, and tus.min.js from the web door, byte for byte `tusFile`. */
async function assertServes(t: TestContext, bin: string, root: string, env: NodeJS.ProcessEnv, native: boolean, tusFile: string): Promise<void> {
  const sum = randomFile(path.join(root, 'hello.bin'), MiB);
  const server = await startCommand(bin, ['serve', root, '--port', '0', '--http-address', '127.0.0.1:0', '--log-format', 'json'], env);
  t.after(() => server.stop());
  const webAt = /web at (http:\/\/127\.0\.0\.1:\d+)/;
  await server.waitForOutput(webAt);

  const conn = await ControlConnection.login(server.port);
  t.after(() => conn.close());
  await conn.expect('TYPE I', 200);
  const { data, final } = await conn.receive('RETR hello.bin');
  assert.equal(final.code, 226, final.text);
  assert.equal(createHash('sha256').update(data).digest('hex'), sum);
  const transfers = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as TransferLine)
      .filter((line) => line.msg === 'transfer' && line.path === '/hello.bin');
  await server.waitForOutput(() => transfers().length === 1);
  const [line] = transfers();
  if (native) assert.ok((line.zeroCopyBytes ?? 0) > 0, `expected bytes sent by sendfile: ${JSON.stringify(line)}`);
  else assert.equal(line.zeroCopyBytes, undefined, `expected no sendfile: ${JSON.stringify(line)}`);

  const res = await fetch(webAt.exec(server.output())![1] + '/assets/vendor/tus.min.js');
  assert.equal(res.status, 200);
  assert.equal(await res.text(), fs.readFileSync(tusFile, 'utf8'));
}

const noCompiler = (await hasProgram(process.env.CC || 'cc')) ? false : 'no C compiler here to build the addon with';

describe('the npm package', () => {
  const dir = tempDir('sockftp-package-');
  let tarball: string;
  after(() => removeDir(dir));

  before(async () => {
    tarball = await pack(path.join(dir, 'pack'));
  });

  it('installs globally with a C compiler, builds the addon, and serves FTP and the web door', { skip: noCompiler }, async (t) => {
    const prefix = path.join(dir, 'global-native');
    fs.mkdirSync(prefix);
    const env = userEnv();
    const install = await npm(['install', '--global', '--prefix', prefix, '--foreground-scripts', tarball], dir, env);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const installed = path.join(prefix, 'lib/node_modules/sockftp');
    const addon = path.join(installed, 'native/build/sendfile.node');
    assert.match(install.stdout, /^sockftp: native sendfile built \(.*\/native\/build\/sendfile\.node\)$/m);
    assert.ok(fs.existsSync(addon));

    const root = path.join(dir, 'served-native');
    fs.mkdirSync(root);
    await assertServes(t, path.join(prefix, 'bin/sockftp'), root, env, true, path.join(installed, 'node_modules/tus-js-client/dist/tus.min.js'));
  });

  it('installs globally without a C compiler in one line, exit 0, and serves on the JavaScript path', async (t) => {
    const prefix = path.join(dir, 'global-js');
    fs.mkdirSync(prefix);
    const env = userEnv({ CC: NO_COMPILER });
    const install = await npm(['install', '--global', '--prefix', prefix, '--foreground-scripts', '--prefer-offline', tarball], dir, env);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.match(install.stdout, /^sockftp: native sendfile not built \(no C compiler: \/nonexistent\/cc not found\); downloads use the JavaScript path$/m);
    const installed = path.join(prefix, 'lib/node_modules/sockftp');
    assert.ok(!fs.existsSync(path.join(installed, 'native/build/sendfile.node')));
    // package.json's "files": the compiled server and client only, no tests, benches or source maps.
    assert.deepEqual(fs.readdirSync(installed).sort(), ['README.md', 'SECURITY.md', 'dist', 'docs', 'native', 'node_modules', 'package.json', 'web']);
    assert.deepEqual(fs.readdirSync(path.join(installed, 'dist')), ['src']);
    // native/build/ is the install script's (empty here: no compiler).
    assert.deepEqual(fs.readdirSync(path.join(installed, 'native')).sort(), ['build', 'build.mjs', 'sendfile.c']);
    assert.deepEqual(
      fs.readdirSync(path.join(installed, 'dist/src'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.map')),
      [],
    );

    const root = path.join(dir, 'served-js');
    fs.mkdirSync(root);
    await assertServes(t, path.join(prefix, 'bin/sockftp'), root, env, false, path.join(installed, 'node_modules/tus-js-client/dist/tus.min.js'));
  });

  it("serves tus-js-client from beside the package when a project's install hoists it there", async (t) => {
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-sockftp', private: true }));
    const env = userEnv({ CC: NO_COMPILER });
    const install = await npm(['install', '--foreground-scripts', '--prefer-offline', tarball], project, env);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const modules = path.join(project, 'node_modules');
    assert.ok(!fs.existsSync(path.join(modules, 'sockftp/node_modules/tus-js-client')), 'npm kept tus-js-client inside sockftp');

    const root = path.join(dir, 'served-project');
    fs.mkdirSync(root);
    await assertServes(t, path.join(modules, '.bin/sockftp'), root, env, false, path.join(modules, 'tus-js-client/dist/tus.min.js'));
  });
});
