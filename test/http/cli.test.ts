/** `sockftp serve --http-*`: off by default, its flags checked in one line, the start line's URL, stale uploads swept at start, SIGTERM. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { defaultAnonymousPolicy } from '../../src/auth/anonymousPolicy.js';
import { buildHttpConfig, httpHosts, parseSize } from '../../src/cli/http.js';
import { run } from '../helpers/processes.js';
import { startServer } from '../helpers/server.js';
import { WebClient, startWeb } from './webClient.js';

describe('sockftp serve --http-address', () => {
  const dir = tempDir('sockftp-web-cli-');
  after(() => removeDir(dir));

  it('is off by default', async (t) => {
    const server = await startServer(dir);
    t.after(() => server.stop());
    assert.doesNotMatch(server.output(), /web at/);
  });

  it('refuses bad values in one line naming the flag', async () => {
    for (const [args, message] of [
      [['--http-address', 'localhost'], /--http-address must be HOST:PORT/],
      [['--http-address', '127.0.0.1:70000'], /--http-address port must be between 0 and 65535/],
      [['--http-address', '127.0.0.1:0', '--http-max-upload', 'lots'], /--http-max-upload must be a size such as 500M or 10G/],
      [['--http-address', '127.0.0.1:0', '--http-session-timeout', 'soon'], /--http-session-timeout must be a duration/],
    ] as const) {
      const result = await run(process.execPath, [CLI, 'serve', dir, '--port', '0', ...args], { timeoutMs: 20_000 });
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  it('refuses a broken shares file at start', async () => {
    const shares = path.join(dir, 'broken.json');
    fs.writeFileSync(shares, '{"not": "shares"}');
    const result = await run(process.execPath, [CLI, 'serve', dir, '--port', '0', '--http-address', '127.0.0.1:0', '--http-shares-file', shares], {
      timeoutMs: 20_000,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--http-shares-file .*broken\.json: .*not a shares file/);
  });

  it('sweeps uploads left untouched past --http-upload-expiry at start, keeps recent ones, and exits 0 on SIGTERM', async (t) => {
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(staging, { mode: 0o700 });
    const old = 'A'.repeat(22);
    const recent = 'B'.repeat(22);
    for (const id of [old, recent]) {
      fs.writeFileSync(path.join(staging, `${id}.part`), 'x');
      fs.writeFileSync(path.join(staging, `${id}.json`), '{}');
    }
    const longAgo = new Date(Date.now() - 3 * 3_600_000);
    for (const ext of ['part', 'json']) fs.utimesSync(path.join(staging, `${old}.${ext}`), longAgo, longAgo);
    const web = await startWeb(dir, staging, ['--http-upload-expiry', '1h']);
    t.after(() => web.stop());
    assert.deepEqual(fs.readdirSync(staging).sort(), [`${recent}.json`, `${recent}.part`]);
    assert.match(web.ftp.output(), /serving .* at ftp:\/\/127\.0\.0\.1:\d+; web at http:\/\/127\.0\.0\.1:\d+/);
    // A keep-alive connection left open does not hold the shutdown for the grace period.
    const client = await WebClient.login(web.url);
    assert.equal((await client.get('/api/session')).status, 200);
    assert.equal(await web.stop(), 0);
  });
});

describe("the web door's settings", () => {
  it('lets anonymous users write by default only when every door is on loopback', () => {
    assert.equal(defaultAnonymousPolicy('127.0.0.1', ...httpHosts({ httpAddress: '127.0.0.1:8080' })), 'write');
    assert.equal(defaultAnonymousPolicy('127.0.0.1', ...httpHosts({ httpAddress: '0.0.0.0:8080' })), 'read');
    assert.equal(defaultAnonymousPolicy('::1', ...httpHosts({ httpAddress: '[::1]:8080' })), 'write');
    assert.equal(defaultAnonymousPolicy('127.0.0.1', ...httpHosts({})), 'write');
  });

  it('reads sizes in binary units, and is off without --http-address', () => {
    assert.equal(parseSize('10G', '--x'), 10 * 1024 ** 3);
    assert.equal(parseSize('500m', '--x'), 500 * 1024 ** 2);
    assert.equal(parseSize('1048576', '--x'), 1048576);
    assert.throws(() => parseSize('0', '--x'), /--x/);
    assert.equal(buildHttpConfig({ httpMaxUpload: '10G', httpSessionTimeout: '30m', httpUploadExpiry: '24h' }, null), null);
  });
});
