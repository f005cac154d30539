/**
 * The web front door over the real `sockftp serve --http-address`, on local
 * disk, with real clients: fetch, curl (ranges, `curl -C -`), python3's
 * zipfile and unzip -t, a raw socket that drops a tus PATCH midway.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { WebClient, q, startWeb, type Web } from './webClient.js';

const XSS_NAME = '<img src=x onerror=alert(1)>.txt';

function curl(args: readonly string[]): { status: number; headers: string } {
  const out = execFileSync('curl', ['-s', '-S', '-D', '-', '-o', '/dev/null', '--max-time', '20', ...args], { encoding: 'utf8' });
  const blocks = out.split(/\r\n\r\n/).filter((b) => b.startsWith('HTTP/'));
  const last = blocks[blocks.length - 1];
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(last)![1]), headers: last };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('web door on local disk', () => {
  let dir: string;
  let root: string;
  let web: Web;
  let client: WebClient;
  const big = randomBytes(3 * 1024 * 1024 + 17);

  before(async () => {
    dir = tempDir('sockftp-web-');
    root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'big.bin'), big);
    fs.writeFileSync(path.join(root, 'hello.txt'), 'hello\n');
    fs.writeFileSync(path.join(root, 'page.html'), '<script>alert(1)</script>');
    fs.writeFileSync(path.join(root, 'pic.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    fs.writeFileSync(path.join(root, XSS_NAME), 'x');
    fs.writeFileSync(path.join(root, 'sub', 'one.txt'), 'one');
    fs.writeFileSync(path.join(root, 'sub', 'deep', 'two.bin'), randomBytes(70_000));
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the root');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'escape.txt'));
    fs.symlinkSync(dir, path.join(root, 'escape-dir'));
    web = await startWeb(root, path.join(dir, 'staging'), ['--http-max-upload', '1M']);
    client = await WebClient.login(web.url);
  });
  after(async () => {
    await web?.stop();
    removeDir(dir);
  });

  it('puts a strict CSP, nosniff, no-referrer and frame-ancestors none on every response', async () => {
    for (const p of ['/', '/api/session', '/api/list?path=/', '/nothing-here', '/assets/index.html', '/s/unknown']) {
      for (const c of [new WebClient(web.url), client]) {
        const res = await c.get(p);
        await res.arrayBuffer();
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'self'/, p);
        assert.match(csp, /script-src 'self'(;|$)/, p);
        assert.match(csp, /frame-ancestors 'none'/, p);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
      }
    }
  });

  it('keeps an idle connection open longer than clients do (Keep-Alive: timeout=65), so the client, not the server, closes it', async () => {
    // With Node's default of 5 s the server closed idle connections while a busy client reused them ("other side closed").
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${web.url}/api/session`, resolve).once('error', reject));
    res.resume();
    assert.equal(res.headers['connection'], 'keep-alive');
    assert.equal(res.headers['keep-alive'], 'timeout=65');
  });

  it('serves web/index.html with no inline script or style, and no file outside web/', async () => {
    const res = await fetch(web.url + '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    const html = await res.text();
    assert.equal(html, fs.readFileSync(path.join(REPO_ROOT, 'web/index.html'), 'utf8'));
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(m[1], /\bsrc=/, 'every script has a src');
      assert.equal(m[2].trim(), '', 'no inline script');
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'no inline style attributes');
    assert.doesNotMatch(html, /<style\b/i, 'no style element');
    assert.doesNotMatch(html, /https?:\/\//i, 'nothing from another origin (no CDN)');
    for (const p of [
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/assets/..%2fpackage.json',
      '/assets/..%5cpackage.json',
      '/assets/.hidden',
      '/assets/vendor/../../package.json',
      '/assets/vendor/nothing.js',
      '/assets/vendor/__proto__',
      '/assets/vendor/constructor',
    ]) {
      const r = curl(['--path-as-is', web.url + p]);
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
    }
    assert.equal((await fetch(web.url + '/assets/vendor/tus.min.js')).status, 200);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/ (not Secure over plain HTTP), and ends it at logout', async () => {
    const c = new WebClient(web.url);
    const res = await c.login('anonymous', 'a@b');
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^sockftp_session=[A-Za-z0-9_-]{43}; /);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
    const session = await c.json<{ user: string; csrf: string }>('/api/session');
    assert.equal(session.user, 'anonymous');
    assert.equal(session.csrf, c.csrf);
    assert.equal((await c.request('POST', '/api/logout')).status, 204);
    assert.equal((await c.get('/api/session')).status, 401);
    assert.equal((await c.get('/api/list?path=/')).status, 401);
    assert.equal((await new WebClient(web.url).get('/api/file?path=/hello.txt')).status, 401);
  });

  it('refuses a state change without the CSRF token or with a wrong one (403), and does it with the right one', async () => {
    for (const csrf of [null, 'wrong', client.csrf!.slice(0, -1) + (client.csrf!.endsWith('A') ? 'B' : 'A')]) {
      const res = await client.request('POST', '/api/mkdir', { json: { path: '/csrf-made' }, csrf });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: string }).error, 'csrf');
      const tus = await client.request('POST', '/api/uploads', {
        csrf,
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '1', 'upload-metadata': 'filename eA==' },
      });
      assert.equal(tus.status, 403);
    }
    assert.equal(fs.existsSync(path.join(root, 'csrf-made')), false);
    assert.equal((await client.post('/api/mkdir', { path: '/csrf-made' })).status, 201);
    assert.ok(fs.statSync(path.join(root, 'csrf-made')).isDirectory());
  });

  it('lists a file named like markup as JSON data, and downloads it with a safe Content-Disposition', async () => {
    const res = await client.get('/api/list?path=/');
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    const listing = (await res.json()) as { entries: { name: string }[] };
    assert.ok(listing.entries.some((e) => e.name === XSS_NAME));
    for (const extra of ['', '&download=1']) {
      const file = await client.get(`/api/file?path=${q('/' + XSS_NAME)}${extra}`);
      assert.equal(file.status, 200);
      const disposition = file.headers.get('content-disposition')!;
      assert.match(disposition, /^(inline|attachment); filename="[^"\\\r\n]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
      assert.equal(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(disposition)![1]), XSS_NAME);
      assert.equal(await file.text(), 'x');
    }
  });

  it('previews images, PDF and text inline (text as text/plain), and sends HTML and SVG as attachments', async () => {
    const html = await client.get('/api/file?path=/page.html');
    assert.equal(html.headers.get('content-type'), 'text/plain; charset=utf-8');
    const svg = await client.get('/api/file?path=/pic.svg');
    assert.match(svg.headers.get('content-disposition')!, /^attachment;/);
    assert.equal(svg.headers.get('content-type'), 'application/octet-stream');
    const bin = await client.get('/api/file?path=/big.bin');
    assert.match(bin.headers.get('content-disposition')!, /^attachment;/);
    await bin.arrayBuffer();
    const text = await client.get('/api/file?path=/hello.txt');
    assert.match(text.headers.get('content-disposition')!, /^inline;/);
    assert.match(text.headers.get('content-security-policy')!, /frame-ancestors 'self'/);
    await Promise.all([html.text(), svg.text(), text.text()]);
  });

  it('refuses traversal however it is spelled, and a symlink out of the root', async () => {
    const spellings = [
      '/../secret.txt',
      '../secret.txt',
      '/sub/../../secret.txt',
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      '..\\secret.txt',
      '\\..\\secret.txt',
      '/sub/..\\..\\secret.txt',
    ];
    for (const spelling of spellings) {
      // Sent as it is written: the server decodes the query once, and the path resolves inside the root.
      const res = await client.get(`/api/file?path=${spelling.replace(/\\/g, '%5C')}`);
      const body = await res.text();
      assert.notEqual(body, 'outside the root', spelling);
      assert.ok(res.status === 404 || res.status === 403 || res.status === 400, `${spelling}: ${res.status}`);
    }
    for (const p of ['/escape.txt', '/escape-dir/secret.txt']) {
      const res = await client.get(`/api/file?path=${q(p)}`);
      assert.notEqual(await res.text(), 'outside the root', p);
      assert.ok(res.status === 403 || res.status === 404, `${p}: ${res.status}`);
    }
    const list = await client.get(`/api/list?path=${q('/escape-dir')}`);
    assert.ok(list.status === 403 || list.status === 404, `list /escape-dir: ${list.status}`);
    await list.text();
    const up = await client.get(`/api/list?path=${q('/../..')}`);
    assert.equal(((await up.json()) as { path: string }).path, '/');
    const zip = await client.get(`/api/zip?path=${q('/escape-dir')}`);
    assert.ok(zip.status === 403 || zip.status === 404, `zip /escape-dir: ${zip.status}`);
    await zip.text();
    const moved = await client.post('/api/rename', { from: '/hello.txt', to: '/../moved-out.txt' });
    assert.equal(moved.status, 200);
    assert.equal(fs.existsSync(path.join(dir, 'moved-out.txt')), false);
    assert.ok(fs.existsSync(path.join(root, 'moved-out.txt')));
    assert.equal((await client.post('/api/rename', { from: '/moved-out.txt', to: '/hello.txt' })).status, 200);
  });

  it('serves ranges to curl (206, 416, If-Range) and lets `curl -C -` resume a cut download byte for byte', async () => {
    const url = `${web.url}/api/file?path=/big.bin&download=1`;
    const cookie = ['-H', `Cookie: ${client.cookie}`];
    const part = curl([...cookie, '-r', '100-199', url]);
    assert.equal(part.status, 206);
    assert.match(part.headers, /content-range: bytes 100-199\/3145745/i);
    assert.match(part.headers, /accept-ranges: bytes/i);
    assert.equal(curl([...cookie, '-H', `Range: bytes=${big.length}-`, url]).status, 416);
    const etag = /etag: (.*)\r/i.exec(part.headers)![1];
    assert.equal(curl([...cookie, '-r', '0-9', '-H', `If-Range: ${etag}`, url]).status, 206);
    assert.equal(curl([...cookie, '-r', '0-9', '-H', 'If-Range: "stale"', url]).status, 200);
    const out = path.join(dir, 'resumed.bin');
    fs.writeFileSync(out, big.subarray(0, 1_000_003));
    execFileSync('curl', ['-s', '-S', '-f', '--max-time', '20', ...cookie, '-C', '-', '-o', out, url]);
    assert.equal(sha(fs.readFileSync(out)), sha(big));
    const suffix = await client.request('GET', '/api/file?path=/big.bin', { headers: { range: 'bytes=-5' } });
    assert.equal(suffix.status, 206);
    assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), big.subarray(big.length - 5));
  });

  it('zips files and folders, streamed; python zipfile and unzip -t read it byte for byte', async () => {
    const res = await client.get(`/api/zip?path=/sub&path=/big.bin`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.match(res.headers.get('content-disposition')!, /^attachment; filename="files.zip"/);
    assert.equal(res.headers.get('content-length'), null, 'streamed, not built first');
    const file = path.join(dir, 'out.zip');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const script = [
      'import hashlib, json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))',
    ].join('\n');
    const hashes = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, string>;
    const want = (p: string) => sha(fs.readFileSync(path.join(root, p)));
    assert.deepEqual(hashes, { 'big.bin': want('big.bin'), 'sub/one.txt': want('sub/one.txt'), 'sub/deep/two.bin': want('sub/deep/two.bin') });
    try {
      execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    } catch {
      // .ci/run installs it; here, python's reading above is the check.
      if (process.env.CI) throw new Error('CI is set but unzip is missing (.ci/run installs it)');
      return;
    }
    assert.match(execFileSync('unzip', ['-t', file], { encoding: 'utf8' }), /No errors detected/);
  });

  it('refuses a zip of a missing path with a 404 before any byte', async () => {
    const res = await client.get(`/api/zip?path=/sub&path=/nothing`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'not_found');
  });

  it('zips the whole root as files.zip, its contents at the top, symlinks out of the root left out', async () => {
    const res = await client.get('/api/zip?path=/');
    assert.match(res.headers.get('content-disposition')!, /filename="files.zip"/);
    const file = path.join(dir, 'root.zip');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const names = JSON.parse(
      execFileSync('python3', ['-c', 'import json,sys,zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', file], { encoding: 'utf8' }),
    ) as string[];
    assert.ok(names.includes('hello.txt') && names.includes('sub/deep/two.bin'), names.join(' '));
    assert.ok(!names.some((n) => n.startsWith('/') || n.startsWith('escape')), names.join(' '));
  });

  it('makes folders, renames without replacing, deletes recursively, and hashes with SHA-256', async () => {
    assert.equal((await client.post('/api/mkdir', { path: '/work' })).status, 201);
    assert.equal((await client.post('/api/mkdir', { path: '/work' })).status, 409);
    fs.mkdirSync(path.join(root, 'work', 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'work', 'a', 'b', 'f.txt'), 'f');
    fs.writeFileSync(path.join(root, 'work', 'g.txt'), 'g');
    assert.equal((await client.post('/api/rename', { from: '/work/g.txt', to: '/work/a/b/f.txt' })).status, 409);
    assert.equal((await client.post('/api/rename', { from: '/work/g.txt', to: '/work/a/h.txt' })).status, 200);
    assert.equal(fs.readFileSync(path.join(root, 'work', 'a', 'h.txt'), 'utf8'), 'g');
    const hash = await client.json<{ sha256: string }>('/api/sha256?path=/big.bin');
    assert.equal(hash.sha256, sha(big));
    assert.equal((await client.post('/api/delete', { paths: ['/'] })).status, 400);
    assert.equal((await client.post('/api/delete', { paths: ['/work'] })).status, 200);
    assert.equal(fs.existsSync(path.join(root, 'work')), false);
    assert.equal((await client.post('/api/delete', { paths: ['/work'] })).status, 404);
  });

  it('lists 10,000 entries sorted, directories first, a page at a time', async () => {
    const many = path.join(root, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(many, `f${i}.txt`), 'x'.repeat(i % 97));
    fs.mkdirSync(path.join(many, 'zz-dir'));
    const first = await client.json<{ total: number; entries: { name: string; type: string }[] }>('/api/list?path=/many&sort=name&limit=100');
    assert.equal(first.total, 10_001);
    assert.equal(first.entries.length, 100);
    assert.deepEqual(
      first.entries.slice(0, 4).map((e) => e.name),
      ['zz-dir', 'f0.txt', 'f1.txt', 'f2.txt'],
    );
    const last = await client.json<{ entries: { name: string }[] }>('/api/list?path=/many&sort=name&order=desc&offset=10000&limit=100');
    assert.deepEqual(
      last.entries.map((e) => e.name),
      ['f0.txt'],
    );
    const bySize = await client.json<{ entries: { size: number; type: string }[] }>('/api/list?path=/many&sort=size&order=desc&limit=5');
    assert.equal(bySize.entries[0].type, 'dir');
    assert.equal(bySize.entries[1].size, 96);
    assert.equal((await client.get('/api/list?path=/many&limit=100000')).status, 400);
    // The next pages come from the session's reading of the folder; its own change is seen at once.
    assert.equal((await client.post('/api/mkdir', { path: '/many/aa-new' })).status, 201);
    const after = await client.json<{ total: number; entries: { name: string }[] }>('/api/list?path=/many&limit=2');
    assert.equal(after.total, 10_002);
    assert.deepEqual(
      after.entries.map((e) => e.name),
      ['aa-new', 'zz-dir'],
    );
    fs.rmSync(many, { recursive: true });
  });

  it('takes a tus upload in pieces, shows nothing until it is complete, and writes it atomically', async () => {
    const bytes = randomBytes(300_000);
    const created = await client.createUpload(bytes.length, { dir: '/sub', filename: 'folder/up.bin' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('tus-resumable'), '1.0.0');
    const location = created.headers.get('location')!;
    assert.match(location, /^\/api\/uploads\/[A-Za-z0-9_-]{22}$/);
    assert.equal((await client.patch(location, 0, bytes.subarray(0, 100_000))).headers.get('upload-offset'), '100000');
    assert.equal(fs.existsSync(path.join(root, 'sub', 'folder', 'up.bin')), false, 'nothing visible before the last byte');
    assert.equal((await client.patch(location, 50_000, bytes.subarray(50_000))).status, 409, 'a wrong offset');
    const head = await client.request('HEAD', location, { headers: { 'tus-resumable': '1.0.0' } });
    assert.equal(head.headers.get('upload-offset'), '100000');
    assert.equal(head.headers.get('upload-length'), '300000');
    assert.equal((await client.patch(location, 100_000, bytes.subarray(100_000))).status, 204);
    assert.equal(sha(fs.readFileSync(path.join(root, 'sub', 'folder', 'up.bin'))), sha(bytes));
    assert.equal((await client.request('HEAD', location, { headers: { 'tus-resumable': '1.0.0' } })).status, 404, 'gone once complete');
    // Another session of another browser cannot see or continue someone's upload.
    const other = await client.createUpload(10, { filename: 'other.bin' });
    const stranger = await WebClient.login(web.url);
    assert.equal((await stranger.request('HEAD', other.headers.get('location')!, { headers: { 'tus-resumable': '1.0.0' } })).status, 200, 'same account');
    assert.equal((await client.request('DELETE', other.headers.get('location')!, { headers: { 'tus-resumable': '1.0.0' } })).status, 204);
    assert.equal((await client.request('HEAD', other.headers.get('location')!, { headers: { 'tus-resumable': '1.0.0' } })).status, 404);
  });

  it('resumes a tus upload after the connection drops midway, byte-exact', async (t) => {
    const bytes = randomBytes(800_000);
    const created = await client.createUpload(bytes.length, { dir: '/', filename: 'dropped.bin' });
    const location = created.headers.get('location')!;
    // A PATCH whose connection dies after a part of its body.
    const socket = await client.rawPatch(location, 0, bytes.length);
    t.after(() => socket.destroy());
    socket.write(bytes.subarray(0, 300_000));
    // The server has the bytes once its offset says so; then the connection is cut.
    const serverOffset = async () => Number((await client.request('HEAD', location, { headers: { 'tus-resumable': '1.0.0' } })).headers.get('upload-offset'));
    await eventually(async () => (await serverOffset()) >= 300_000, { what: "the upload's offset to reach the 300,000 bytes sent" });
    socket.destroy();
    const offset = await serverOffset();
    assert.equal(offset, 300_000);
    assert.equal(fs.existsSync(path.join(root, 'dropped.bin')), false);
    // The cut request may still hold the upload for a moment (423, which tus clients retry).
    let res = null as Response | null;
    await eventually(async () => (res = await client.patch(location, offset, bytes.subarray(offset))).status !== 423, {
      what: 'a PATCH that the cut request no longer holds back with 423',
    });
    assert.equal(res!.status, 204);
    assert.equal(sha(fs.readFileSync(path.join(root, 'dropped.bin'))), sha(bytes));
  });

  it('lists a file an upload completed after the folder was listed during its last PATCH', async (t) => {
    const bytes = randomBytes(200_000);
    const created = await client.createUpload(bytes.length, { dir: '/', filename: 'late.bin' });
    const location = created.headers.get('location')!;
    const socket = await client.rawPatch(location, 0, bytes.length);
    t.after(() => socket.destroy());
    const answer = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    socket.write(bytes.subarray(0, 1000));
    // The page reloads the folder while the upload's last PATCH is still under way...
    const during = await client.json<{ entries: { name: string }[] }>('/api/list?path=/');
    assert.ok(!during.entries.some((e) => e.name === 'late.bin'));
    socket.write(bytes.subarray(1000));
    assert.match(await answer, /^HTTP\/1\.1 204/);
    socket.destroy();
    // ...and once it is done, the next listing has the file (not the folder as it was read during it).
    const afterwards = await client.json<{ entries: { name: string }[] }>('/api/list?path=/');
    assert.ok(afterwards.entries.some((e) => e.name === 'late.bin'));
  });

  it('refuses an upload over --http-max-upload with 413, and a body past Upload-Length', async () => {
    const res = await client.createUpload(1024 * 1024 + 1, { filename: 'huge.bin' });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: string }).error, 'too_large');
    const ok = await client.createUpload(10, { filename: 'ten.bin' });
    assert.equal(ok.status, 201);
    assert.equal((await client.patch(ok.headers.get('location')!, 0, Buffer.alloc(11))).status, 400);
    assert.equal(fs.existsSync(path.join(root, 'ten.bin')), false);
    const empty = await client.createUpload(0, { filename: 'empty.bin' });
    assert.equal(empty.status, 201);
    assert.equal(fs.statSync(path.join(root, 'empty.bin')).size, 0, 'an empty upload is complete at once');
  });
});
