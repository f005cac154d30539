/**
 * The web door's traffic in the same metrics, log lines and xferlog as FTP's,
 * driven by an independent client (curl) against the real
 * `sockftp serve --http-address --admin-address --xferlog`: sign-ins, a
 * download, a ranged download, a zip, a tus upload in two PATCHes, a folder
 * made, a rename, a delete, a share link used by a visitor, and a wrong
 * password, each moving its counter by exactly what it did, with door="http".
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { removeDir, tempDir } from '../helpers/files.js';
import { scrapeMetrics, type Samples } from '../helpers/prometheus.js';
import { startWeb, writeUsers, type Web } from './webClient.js';

const run = promisify(execFile);
const USER = 'alice';
const PASSWORD = 'right horse battery';

/** curl with a cookie jar; the body as text and the status, which the last line of output carries. */
async function curl(jar: string, args: readonly string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-s', '-S', '--max-time', '30', '-b', jar, '-c', jar, '-w', '\n%{http_code}', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

/** How much each sample moved, only the ones that moved, and only the web door's (requests by route are checked on their own). */
function movedHttp(before: Samples, after: Samples): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith('sockftp_') || !key.includes('door="http"') || /_bucket\{|_sum\{|^sockftp_(commands|replies)_total/.test(key)) continue;
    const d = value - (before.get(key) ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
}

async function startWithAdmin(t: TestContext): Promise<{ web: Web; root: string; dir: string; adminUrl: string; xferlog: string }> {
  const dir = tempDir('sockftp-web-metrics-');
  t.after(() => removeDir(dir));
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'a.bin'), Buffer.alloc(10_000, 7));
  fs.writeFileSync(path.join(root, 'docs', 'b.txt'), 'bee\n');
  await writeUsers(path.join(dir, 'users.json'), { [USER]: { password: PASSWORD } });
  const xferlog = path.join(dir, 'xferlog');
  const web = await startWeb(root, path.join(dir, 'staging'), [
    '--users',
    path.join(dir, 'users.json'),
    '--anonymous',
    'off',
    '--admin-address',
    '127.0.0.1:0',
    '--xferlog',
    xferlog,
    '--log-format',
    'json',
  ]);
  t.after(() => web.stop());
  const adminUrl = /"adminUrl":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(web.ftp.output())![1];
  return { web, root, dir, adminUrl, xferlog };
}

/** The server's JSON log lines so far. */
function logLines(web: Web): Array<Record<string, unknown>> {
  return web.ftp
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the web door in the metrics, the logs and the xferlog', () => {
  it('counts sign-ins, downloads, uploads, zips, changes and share-link use of curl, each with door="http"', async (t) => {
    const { web, root, dir, adminUrl, xferlog } = await startWithAdmin(t);
    const jar = path.join(dir, 'jar');
    const visitorJar = path.join(dir, 'visitor-jar');
    const before = await scrapeMetrics(adminUrl);

    const wrong = await curl(jar, ['-H', 'content-type: application/json', '-d', JSON.stringify({ user: USER, password: 'wrong' }), `${web.url}/api/login`]);
    assert.equal(wrong.status, 401);
    const login = await curl(jar, ['-H', 'content-type: application/json', '-d', JSON.stringify({ user: USER, password: PASSWORD }), `${web.url}/api/login`]);
    assert.equal(login.status, 200);
    const csrf = (JSON.parse(login.body) as { csrf: string }).csrf;
    const change = (route: string, body: unknown) =>
      curl(jar, ['-H', 'content-type: application/json', '-H', `x-csrf-token: ${csrf}`, '-d', JSON.stringify(body), `${web.url}${route}`]);

    const whole = await curl(jar, [`${web.url}/api/file?path=/docs/a.bin`]);
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, 10_000);
    const part = await curl(jar, ['-r', '100-199', `${web.url}/api/file?path=/docs/a.bin`]);
    assert.equal(part.status, 206);
    assert.equal(part.body.length, 100);
    const zip = path.join(dir, 'docs.zip');
    assert.equal((await curl(jar, ['-o', zip, `${web.url}/api/zip?path=/docs`])).status, 200);
    const zipBytes = fs.statSync(zip).size;

    // A tus upload of 3,000 bytes in two PATCHes: each is a transfer, as each STOR of a resumed FTP upload is.
    const source = path.join(dir, 'up.bin');
    fs.writeFileSync(source, Buffer.alloc(3_000, 9));
    const created = await run(
      'curl',
      [
        '-s',
        '-S',
        '-D',
        '-',
        '-o',
        '/dev/null',
        '-b',
        jar,
        '-X',
        'POST',
        '-H',
        `x-csrf-token: ${csrf}`,
        '-H',
        'tus-resumable: 1.0.0',
        '-H',
        'upload-length: 3000',
      ].concat([
        '-H',
        `upload-metadata: dir ${Buffer.from('/docs').toString('base64')},filename ${Buffer.from('up.bin').toString('base64')}`,
        `${web.url}/api/uploads`,
      ]),
      { encoding: 'utf8' },
    );
    const location = /^location: (\S+)/im.exec(created.stdout)![1];
    const tus = ['-X', 'PATCH', '-H', `x-csrf-token: ${csrf}`, '-H', 'tus-resumable: 1.0.0', '-H', 'content-type: application/offset+octet-stream'];
    fs.writeFileSync(path.join(dir, 'first'), Buffer.alloc(1_000, 9));
    fs.writeFileSync(path.join(dir, 'rest'), Buffer.alloc(2_000, 9));
    assert.equal((await curl(jar, [...tus, '-H', 'upload-offset: 0', '--data-binary', `@${path.join(dir, 'first')}`, `${web.url}${location}`])).status, 204);
    assert.equal((await curl(jar, [...tus, '-H', 'upload-offset: 1000', '--data-binary', `@${path.join(dir, 'rest')}`, `${web.url}${location}`])).status, 204);
    assert.equal(fs.statSync(path.join(root, 'docs', 'up.bin')).size, 3_000);

    assert.equal((await change('/api/mkdir', { path: '/made' })).status, 201);
    assert.equal((await change('/api/rename', { from: '/docs/b.txt', to: '/docs/c.txt' })).status, 200);
    assert.equal((await change('/api/delete', { paths: ['/docs/c.txt'] })).status, 200);
    const share = await change('/api/shares', { path: '/docs/a.bin' });
    assert.equal(share.status, 201, share.body);
    const id = (JSON.parse(share.body) as { id: string }).id;
    const visit = await curl(visitorJar, [`${web.url}/api/s/${id}/file`]);
    assert.equal(visit.status, 200);
    assert.equal(visit.body.length, 10_000);

    const after = await scrapeMetrics(adminUrl);
    assert.deepEqual(movedHttp(before, after), {
      'sockftp_logins_total{door="http",result="failed"}': 1,
      'sockftp_logins_total{door="http",result="ok"}': 1,
      'sockftp_transfers_total{direction="download",door="http",result="ok"}': 4,
      'sockftp_transfers_total{direction="upload",door="http",result="ok"}': 2,
      'sockftp_bytes_sent_total{door="http"}': 10_000 + 100 + zipBytes + 10_000,
      'sockftp_bytes_received_total{door="http"}': 3_000,
      'sockftp_transfer_duration_seconds_count{direction="download",door="http"}': 4,
      'sockftp_transfer_duration_seconds_count{direction="upload",door="http"}': 2,
      'sockftp_file_actions_total{action="mkdir",door="http"}': 1,
      'sockftp_file_actions_total{action="rename",door="http"}': 1,
      'sockftp_file_actions_total{action="delete",door="http"}': 1,
    });
    assert.equal(
      after.get('sockftp_commands_total{door="http",verb="POST /api/login"}')! -
        (before.get('sockftp_commands_total{door="http",verb="POST /api/login"}') ?? 0),
      2,
    );
    assert.equal(after.get('sockftp_commands_total{door="http",verb="PATCH /api/uploads/:id"}'), 2);
    assert.equal(after.get('sockftp_replies_total{class="4xx",door="http"}'), 1, 'the wrong password');
    assert.equal(after.get('sockftp_share_uses_total{action="file"}'), 1);
    assert.equal(after.get('sockftp_transfers_total{direction="download",door="ftp",result="ok"}'), undefined, 'nothing counted for FTP');

    // The same moments in the log, each line naming the door, and in the xferlog with the web's service name.
    const lines = logLines(web);
    const transfers = lines.filter((l) => l.msg === 'transfer');
    assert.deepEqual(
      transfers.map((l) => [l.door, l.user ?? null, l.direction, l.path, l.bytes, l.result]),
      [
        ['http', USER, 'download', '/docs/a.bin', 10_000, 'ok'],
        ['http', USER, 'download', '/docs/a.bin', 100, 'ok'],
        ['http', USER, 'download', '/docs.zip', zipBytes, 'ok'],
        ['http', USER, 'upload', '/docs/up.bin', 1_000, 'ok'],
        ['http', USER, 'upload', '/docs/up.bin', 2_000, 'ok'],
        ['http', null, 'download', '/docs/a.bin', 10_000, 'ok'],
      ],
    );
    assert.ok(lines.some((l) => l.msg === 'login' && l.door === 'http' && l.user === USER));
    assert.ok(lines.some((l) => l.msg === 'login failed' && l.door === 'http' && l.user === USER));
    assert.deepEqual(
      lines.filter((l) => l.msg === 'changed').map((l) => [l.door, l.action, l.path, l.to ?? null]),
      [
        ['http', 'mkdir', '/made', null],
        ['http', 'rename', '/docs/b.txt', '/docs/c.txt'],
        ['http', 'delete', '/docs/c.txt', null],
      ],
    );
    const xfer = fs
      .readFileSync(xferlog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').slice(-11));
    assert.deepEqual(
      xfer.map(([bytes, file, , , direction, access, user, service]) => [bytes, file, direction, access, user, service]),
      [
        ['10000', '/docs/a.bin', 'o', 'r', USER, 'http'],
        ['100', '/docs/a.bin', 'o', 'r', USER, 'http'],
        [String(zipBytes), '/docs.zip', 'o', 'r', USER, 'http'],
        ['1000', '/docs/up.bin', 'i', 'r', USER, 'http'],
        ['2000', '/docs/up.bin', 'i', 'r', USER, 'http'],
        ['10000', '/docs/a.bin', 'o', 'a', `share:${id}`, 'http'],
      ],
    );
  });
});
