/**
 * The web door with accounts (a users file): one LoginGuard for FTP and
 * HTTP, share links (passwords, confinement below the shared item, revoking,
 * surviving a restart with --http-shares-file), HTTPS with Secure cookies,
 * and the login rate limit.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { tlsArgs } from '../security/support.js';
import { WebClient, startWeb, writeUsers, type Web } from './webClient.js';

describe('web door with accounts', () => {
  let dir: string;
  let root: string;
  let aliceHome: string;
  let usersFile: string;
  let sharesFile: string;
  let web: Web;
  const start = () =>
    startWeb(root, path.join(dir, 'staging'), ['--users', usersFile, '--http-shares-file', sharesFile, '--max-login-failures', '3', '--login-ban', '600']);

  before(async () => {
    dir = tempDir('sockftp-web-acc-');
    root = path.join(dir, 'root');
    aliceHome = path.join(dir, 'alice');
    fs.mkdirSync(path.join(aliceHome, 'docs', 'inner'), { recursive: true });
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(aliceHome, 'secret.txt'), 'not shared');
    fs.writeFileSync(path.join(aliceHome, 'docs', 'a.txt'), 'shared a');
    fs.writeFileSync(path.join(aliceHome, 'docs', 'inner', 'b.txt'), 'shared b');
    usersFile = path.join(dir, 'users.json');
    sharesFile = path.join(dir, 'shares.json');
    await writeUsers(usersFile, { alice: { password: 'alice-pw', home: aliceHome }, bob: { password: 'bob-pw', home: aliceHome } });
    web = await start();
  });
  after(async () => {
    await web?.stop();
    removeDir(dir);
  });

  it('logs in with the users file, and refuses a wrong password with 401', async () => {
    const alice = await WebClient.login(web.url, 'alice', 'alice-pw');
    assert.deepEqual(
      (await alice.json<{ entries: { name: string }[] }>('/api/list?path=/')).entries.map((e) => e.name),
      ['docs', 'secret.txt'],
    );
    const wrong = await new WebClient(web.url).login('alice', 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'login_failed');
    assert.equal(wrong.headers.get('set-cookie'), null);
    // That failure counted: log in right once more so the guard test below starts from one.
  });

  it('makes, lists, opens and revokes share links; a password is asked, and nothing above the shared folder is reachable', async () => {
    const alice = await WebClient.login(web.url, 'alice', 'alice-pw');
    const made = await alice.post('/api/shares', { path: '/docs', expiresInSeconds: 3600, password: 'open sesame' });
    assert.equal(made.status, 201);
    const share = (await made.json()) as { id: string; url: string; expires: string };
    assert.match(share.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(share.url, `${web.url}/s/${share.id}`);
    const fileShare = (await (await alice.post('/api/shares', { path: '/docs/a.txt', expiresInSeconds: 3600 })).json()) as { id: string };
    const listed = await alice.json<{ shares: { id: string; hasPassword: boolean; path: string }[] }>('/api/shares');
    assert.deepEqual(
      listed.shares.map((s) => [s.id, s.path, s.hasPassword]),
      [
        [share.id, '/docs', true],
        [fileShare.id, '/docs/a.txt', false],
      ],
    );
    const stranger = new WebClient(web.url);
    assert.equal((await stranger.get(`/s/${share.id}`)).status, 200, 'the page in share mode');
    assert.deepEqual(await stranger.json(`/api/s/${share.id}`), { name: 'docs', type: 'dir', expires: share.expires, needsPassword: true });
    const locked = await stranger.get(`/api/s/${share.id}/list?path=/`);
    assert.equal(locked.status, 401);
    assert.equal(((await locked.json()) as { error: string }).error, 'share_locked');
    assert.equal((await stranger.post(`/api/s/${share.id}/unlock`, { password: 'wrong' })).status, 401);
    const unlocked = await stranger.post(`/api/s/${share.id}/unlock`, { password: 'open sesame' });
    assert.equal(unlocked.status, 200);
    const cookie = unlocked.headers.get('set-cookie')!;
    assert.match(cookie, new RegExp(`^sockftp_share=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=/api/s/${share.id}$`));
    stranger.cookie = /^([^;]+)/.exec(cookie)![1];
    assert.equal((await stranger.json<{ needsPassword: boolean }>(`/api/s/${share.id}`)).needsPassword, false);
    assert.deepEqual(
      (await stranger.json<{ entries: { name: string }[] }>(`/api/s/${share.id}/list?path=/`)).entries.map((e) => e.name),
      ['inner', 'a.txt'],
    );
    assert.equal(await (await stranger.get(`/api/s/${share.id}/file?path=/inner/b.txt`)).text(), 'shared b');
    for (const p of ['/../secret.txt', '../secret.txt', '..%2fsecret.txt', '%2e%2e/secret.txt', '..%5Csecret.txt']) {
      const res = await stranger.get(`/api/s/${share.id}/file?path=${p}`);
      assert.notEqual(await res.text(), 'not shared', p);
      assert.equal(res.status, 404, p);
    }
    const zip = await stranger.get(`/api/s/${share.id}/zip`);
    assert.equal(zip.status, 200);
    assert.match(zip.headers.get('content-disposition')!, /filename="docs.zip"/);
    const zipFile = path.join(dir, 'share.zip');
    fs.writeFileSync(zipFile, Buffer.from(await zip.arrayBuffer()));
    const names = execFileSync('python3', ['-c', 'import sys,zipfile; print(sorted(zipfile.ZipFile(sys.argv[1]).namelist()))', zipFile], { encoding: 'utf8' });
    assert.equal(names.trim(), "['docs/', 'docs/a.txt', 'docs/inner/', 'docs/inner/b.txt']");
    // Read-only: the share's cookie is no session.
    assert.equal((await stranger.post('/api/mkdir', { path: '/docs/x' })).status, 401);
    // A file share is that file only.
    const single = new WebClient(web.url);
    assert.equal(await (await single.get(`/api/s/${fileShare.id}/file?path=/`)).text(), 'shared a');
    assert.equal((await single.get(`/api/s/${fileShare.id}/file?path=/inner/b.txt`)).status, 404);
    // Bob (another account) cannot revoke Alice's link; Alice can.
    const bob = await WebClient.login(web.url, 'bob', 'bob-pw');
    assert.equal((await bob.request('DELETE', `/api/shares/${fileShare.id}`)).status, 404);
    assert.equal((await alice.request('DELETE', `/api/shares/${fileShare.id}`)).status, 204);
    const gone = await single.get(`/api/s/${fileShare.id}`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { error: string }).error, 'share_not_found');
    assert.equal((await single.get(`/api/s/${fileShare.id}/file?path=/`)).status, 404);
  });

  it('keeps share links in --http-shares-file across a restart', async () => {
    const alice = await WebClient.login(web.url, 'alice', 'alice-pw');
    const { id } = (await (await alice.post('/api/shares', { path: '/docs/a.txt', expiresInSeconds: 600 })).json()) as { id: string };
    assert.equal((fs.statSync(sharesFile).mode & 0o777).toString(8), '600');
    await web.stop();
    web = await start();
    assert.equal(await (await new WebClient(web.url).get(`/api/s/${id}/file`)).text(), 'shared a');
  });

  it('refuses share links to anonymous sessions', async () => {
    const anonymous = await WebClient.login(web.url, 'anonymous', 'x');
    assert.equal((await anonymous.post('/api/shares', { path: '/', expiresInSeconds: 600 })).status, 403);
  });

  it('counts failed logins of both doors in one guard: FTP and HTTP failures together ban the address on both', async (t) => {
    // A fresh server: the failures above were counted too.
    await web.stop();
    web = await start();
    const ftp = await ControlConnection.open(web.ftp.port);
    t.after(() => ftp.conn.close());
    await ftp.conn.expect('USER alice', 331);
    await ftp.conn.expect('PASS wrong-over-ftp', 530);
    ftp.conn.close();
    assert.equal((await new WebClient(web.url).login('alice', 'wrong-over-http')).status, 401);
    const third = await new WebClient(web.url).login('alice', 'wrong-again');
    assert.equal(third.status, 429, 'the third failure, across the doors, bans');
    assert.equal(((await third.json()) as { error: string }).error, 'banned');
    const right = await new WebClient(web.url).login('alice', 'alice-pw');
    assert.equal(right.status, 429, 'banned even with the right password');
    const refused = await ControlConnection.open(web.ftp.port);
    t.after(() => refused.conn.close());
    assert.equal(refused.greeting.code, 421, 'and FTP refuses the address too');
  });
});

describe('web door over HTTPS', () => {
  let dir: string;
  let web: Web;

  before(async () => {
    dir = tempDir('sockftp-web-tls-');
    fs.mkdirSync(path.join(dir, 'root'));
    fs.writeFileSync(path.join(dir, 'root', 'x.txt'), 'over tls');
    web = await startWeb(path.join(dir, 'root'), path.join(dir, 'staging'), tlsArgs(dir));
  });
  after(async () => {
    await web?.stop();
    removeDir(dir);
  });

  /** An anonymous login by curl over HTTPS (the certificate is self-signed): its headers, or with `-w` what that asks. */
  const curlLogin = (output: readonly string[]) =>
    execFileSync(
      'curl',
      [
        '-s',
        '-k',
        '-o',
        '/dev/null',
        ...output,
        '--max-time',
        '20',
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"user":"anonymous","password":"x"}',
        `${web.url}/api/login`,
      ],
      { encoding: 'utf8' },
    );

  it('prints an https URL, and marks the session cookie Secure', () => {
    assert.match(web.url, /^https:\/\//);
    const out = curlLogin(['-D', '-']);
    assert.match(out, /^HTTP\/1\.1 200/);
    assert.match(out, /set-cookie: sockftp_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Secure\r\n/i);
  });

  it('limits login attempts per address (429 past the burst)', () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(Number(curlLogin(['-w', '%{http_code}'])));
    assert.ok(
      statuses.slice(0, 19).every((s) => s === 200),
      statuses.join(' '),
    );
    assert.ok(statuses.includes(429), statuses.join(' '));
  });
});
