/**
 * The PROXY protocol with the real thing: HAProxy 2.6's own send-proxy-v2
 * headers, for an IPv4 and an IPv6 client, reach the server as the client's
 * address; and the HAProxy configurations in docs/load-balancing.md pass
 * `haproxy -c`, with every sockftp flag they show being a real one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';
import { hasProgram, run } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const DOC = path.join(REPO_ROOT, 'docs', 'load-balancing.md');

/** The fenced blocks of `language` in the document. */
function blocks(language: string): string[] {
  return [...fs.readFileSync(DOC, 'utf8').matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

describe('behind a real HAProxy sending PROXY v2', () => {
  let root: string;
  let server: RunningServer;
  let haproxy: Haproxy | null = null;
  let skip: string | null = null;
  const ports = { v4: 0, v6: 0 };

  before(async () => {
    root = tempDir();
    server = await startServer(root, [
      '--proxy-protocol-from',
      '127.0.0.1/32',
      '--log-format',
      'json',
      '--admin-address',
      '127.0.0.1:0',
      '--anonymous',
      'read',
    ]);
    const adminPort = Number(/"adminUrl":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(server.output())![1]);
    ports.v4 = await freePort();
    ports.v6 = await freePort('::1');
    const backend = [{ name: 'ftp1', host: '127.0.0.1', port: server.port, checkPort: adminPort }];
    const started = await startHaproxy([
      { name: 'ftp', bind: { host: '127.0.0.1', port: ports.v4 }, servers: backend, sendProxyV2: true, source: '127.0.0.1' },
      { name: 'ftp6', bind: { host: '::1', port: ports.v6 }, servers: backend, sendProxyV2: true, source: '127.0.0.1' },
    ]);
    haproxy = started.haproxy;
    skip = started.reason;
    await haproxy?.waitForState('ftp', 'ftp1', 'UP');
    await haproxy?.waitForState('ftp6', 'ftp1', 'UP');
  });
  after(async () => {
    await haproxy?.stop();
    await server.stop();
    removeDir(root);
  });

  for (const [family, client, host] of [
    ['IPv4', '127.0.0.5', '127.0.0.1'],
    ['IPv6', '::1', '::1'],
  ] as const) {
    it(`an ${family} client is the session's client, not HAProxy`, async (t) => {
      if (!haproxy) return t.skip(skip!);
      const { conn, greeting } = await ControlConnection.openFrom(family === 'IPv4' ? ports.v4 : ports.v6, client, '', host);
      assert.equal(greeting.code, 220);
      await conn.expect('USER anonymous', 331);
      await conn.expect('PASS x', 230);
      assert.match((await conn.expect('STAT', 211)).text, new RegExp(`Connected to ${client.replace(/\./g, '\\.')}\\b`));
      await conn.expect('QUIT', 221);
      await server.waitForOutput(() =>
        server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .some((l) => {
            const line = JSON.parse(l) as { client?: string; proxy?: string };
            return line.client?.startsWith(`${client}:`) === true && line.proxy?.startsWith('127.0.0.1:') === true;
          }),
      );
    });
  }
});

describe('docs/load-balancing.md', () => {
  it('has HAProxy configurations that HAProxy itself accepts', async (t) => {
    if (!(await hasProgram('haproxy'))) return t.skip('haproxy is not installed (.ci/run installs it)');
    const configs = blocks('haproxy');
    assert.equal(configs.length, 2, 'one configuration per layout');
    const dir = tempDir();
    try {
      for (const [i, config] of configs.entries()) {
        const file = path.join(dir, `layout${i}.cfg`);
        fs.writeFileSync(file, config);
        const result = await run('haproxy', ['-c', '-f', file], { timeoutMs: 10_000 });
        assert.equal(result.code, 0, `${result.stdout}${result.stderr}\n${config}`);
      }
    } finally {
      removeDir(dir);
    }
  });

  it('shows only flags that sockftp serve has', async () => {
    const help = (await run(process.execPath, [CLI, 'serve', '--help'], { timeoutMs: 10_000 })).stdout;
    const flags = new Set(blocks('sh').flatMap((b) => [...b.matchAll(/(--[a-z0-9-]+)/g)].map((m) => m[1])));
    assert.ok(flags.has('--proxy-protocol-from') && flags.has('--pasv-ports'));
    for (const flag of flags) assert.match(help, new RegExp(`${flag}\\b`), flag);
  });
});
