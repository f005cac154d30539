/** `sockftp serve` as a user starts it: what it prints, and how it refuses bad flags. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { startServer } from '../helpers/server.js';

let root: string;
before(() => {
  root = tempDir();
});
after(() => removeDir(root));

const serve = (...args: string[]) => run(process.execPath, [CLI, 'serve', ...args], { timeoutMs: 20_000 });

describe('sockftp serve', () => {
  it('prints the real URL and the root once listening, then a line per connection', async (t) => {
    const server = await startServer(root);
    t.after(() => server.stop());
    const first = server.output().split('\n')[0];
    assert.match(first, new RegExp(`serving ${root} at ftp://127\\.0\\.0\\.1:${server.port}\\b`));
    const { conn } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    await conn.expect('USER anonymous', 331);
    await conn.expect('PASS x', 230);
    await conn.expect('QUIT', 221);
    await conn.waitClosed();
    await server.waitForOutput(/connection closed/);
    assert.equal(await server.stop(), 0);
    assert.match(server.output(), /connection opened .*client=127\.0\.0\.1:\d+/);
    assert.match(server.output(), /connection closed .*client=127\.0\.0\.1:\d+ user=anonymous durationMs=\d+/);
  });

  it('writes JSON lines with --log-format json', async (t) => {
    const server = await startServer(root, ['--log-format', 'json']);
    t.after(() => server.stop());
    await server.stop();
    const event = JSON.parse(server.output().split('\n')[0]) as { url: string; root: string };
    assert.equal(event.url, `ftp://127.0.0.1:${server.port}`);
    assert.equal(event.root, root);
  });

  for (const [args, message] of [
    [['--port', 'abc'], 'sockftp: --port must be a whole number, not "abc"'],
    [['--port', '70000'], 'sockftp: --port must be between 0 and 65535'],
    [['--anonymous', 'maybe'], 'sockftp: --anonymous must be off, read or write, not "maybe"'],
    [['--pasv-ports', '5000'], 'sockftp: --pasv-ports must look like LOW-HIGH, for example 30000-30100'],
    [['--log-format', 'xml'], 'sockftp: --log-format must be pretty or json'],
  ] as const) {
    it(`refuses ${args.join(' ')} with one line`, async () => {
      const result = await serve(root, ...args);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, message + '\n');
    });
  }

  it('refuses a root that does not exist', async () => {
    const missing = path.join(root, 'nope');
    const result = await serve(missing, '--port', '0');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `sockftp: ROOT ${missing} is not a directory\n`);
  });

  it('refuses a port that is taken, in one line', async (t) => {
    const server = await startServer(root);
    t.after(() => server.stop());
    const result = await serve(root, '--port', String(server.port));
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^sockftp: cannot listen on 127\\.0\\.0\\.1: .*EADDRINUSE.*127\\.0\\.0\\.1:${server.port}\\n$`));
  });
});
