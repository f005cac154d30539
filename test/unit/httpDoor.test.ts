/** The web door's pure parts: ranges, how a file is presented, the route table, tus metadata, sessions, rate limits, share expiry, the error mapping. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { READ_ONLY } from '../../src/auth/permissions.js';
import { FileError, type FileErrorCode } from '../../src/core/errors.js';
import { responseForError } from '../../src/http/errorStatus.js';
import { sortEntries } from '../../src/http/listing.js';
import { contentDisposition, presentationOf } from '../../src/http/preview.js';
import { RateLimiter } from '../../src/http/RateLimiter.js';
import { parseRange, rangeStillValid } from '../../src/http/ranges.js';
import { Router } from '../../src/http/router.js';
import { routes } from '../../src/http/routes.js';
import { SessionStore, sameToken } from '../../src/http/SessionStore.js';
import { ShareStore } from '../../src/http/shares/ShareStore.js';
import { parseMetadata } from '../../src/http/tus/protocol.js';
import { MemoryStorage } from '../../src/storage/MemoryStorage.js';
import { removeDir, tempDir } from '../helpers/files.js';

describe('parseRange', () => {
  it('reads one range, suffixes and open ends, and answers several or odd ones with the whole file', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'part', start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'part', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'part', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'part', start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=50-1000', 100), { kind: 'part', start: 50, end: 99 });
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-1,5-6', 100), { kind: 'whole' });
    assert.deepEqual(parseRange('items=0-1', 100), { kind: 'whole' });
    assert.deepEqual(parseRange('bytes=9-1', 100), { kind: 'whole' });
    assert.deepEqual(parseRange(undefined, 100), { kind: 'whole' });
  });

  it('applies If-Range only to the same ETag or date', () => {
    assert.equal(rangeStillValid('"a"', '"a"', 'date'), true);
    assert.equal(rangeStillValid('"b"', '"a"', 'date'), false);
    assert.equal(rangeStillValid('date', '"a"', 'date'), true);
    assert.equal(rangeStillValid(undefined, '"a"', 'date'), true);
  });
});

describe('presentationOf and contentDisposition', () => {
  it('shows images (not SVG), PDF and text inline, and everything else as an attachment', () => {
    assert.deepEqual(presentationOf('a.PNG', false), { contentType: 'image/png', inline: true });
    assert.deepEqual(presentationOf('a.pdf', false), { contentType: 'application/pdf', inline: true });
    assert.deepEqual(presentationOf('a.html', false), { contentType: 'text/plain; charset=utf-8', inline: true });
    assert.deepEqual(presentationOf('a.svg', false), { contentType: 'application/octet-stream', inline: false });
    assert.deepEqual(presentationOf('a.exe', false), { contentType: 'application/octet-stream', inline: false });
    assert.deepEqual(presentationOf('a.png', true), { contentType: 'application/octet-stream', inline: false });
  });

  it('keeps a name as data: no quote, backslash or line break in the fallback, the real name percent-encoded', () => {
    assert.equal(
      contentDisposition('attachment', 'a"b\\c\r\nd é.txt'),
      `attachment; filename="a_b_c__d _.txt"; filename*=UTF-8''a%22b%5Cc%0D%0Ad%20%C3%A9.txt`,
    );
    assert.equal(contentDisposition('inline', "it's (1).txt"), `inline; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`);
  });
});

describe('sortEntries', () => {
  it('puts folders first, then names without case and with numbers by value, ties by code units', () => {
    const at = new Date(0);
    const names = ['file10', 'File2', 'file1', 'b', 'B', 'dir9', 'dir10', 'file02'];
    const entries = names.map((name) => ({ name, type: name.startsWith('dir') ? ('dir' as const) : ('file' as const), size: name.length, mtime: at }));
    assert.deepEqual(
      sortEntries(entries, { sort: 'name', descending: false }).map((e) => e.name),
      ['dir9', 'dir10', 'B', 'b', 'file1', 'File2', 'file02', 'file10'],
    );
    assert.deepEqual(
      sortEntries(entries, { sort: 'size', descending: true }).map((e) => e.name),
      ['dir10', 'dir9', 'file10', 'file02', 'File2', 'file1', 'b', 'B'],
    );
  });
});

describe('the route table', () => {
  const router = new Router(routes);
  it('finds routes with their parameters, answers HEAD with GET routes, and tells the methods a path has', () => {
    const share = router.match('GET', '/api/s/abc/list');
    assert.ok(share && 'route' in share);
    assert.deepEqual(share.params, { id: 'abc' });
    const head = router.match('HEAD', '/api/file');
    assert.ok(head && 'route' in head && head.route.method === 'GET');
    assert.deepEqual(router.match('PUT', '/api/login'), { allow: ['POST'] });
    assert.equal(router.match('GET', '/api/s//list'), null);
    assert.equal(router.match('GET', '/nothing'), null);
    const asset = router.match('GET', '/assets/vendor/tus.min.js');
    assert.ok(asset && 'route' in asset && asset.route.path === '/assets/*');
  });

  it('needs a session for every /api route but login, session-free share links and the page', () => {
    const open = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(open, [
      'GET /',
      'GET /s/:id',
      'GET /assets/*',
      'POST /api/login',
      'GET /api/s/:id',
      'POST /api/s/:id/unlock',
      'GET /api/s/:id/list',
      'GET /api/s/:id/file',
      'GET /api/s/:id/zip',
    ]);
  });
});

describe('tus Upload-Metadata', () => {
  it('decodes key base64 pairs and refuses anything else', () => {
    assert.deepEqual(parseMetadata('filename ZGlyL2EudHh0,dir Lw==,flag'), { filename: 'dir/a.txt', dir: '/', flag: '' });
    assert.deepEqual(parseMetadata(undefined), {});
    assert.throws(() => parseMetadata('filename a b'), /Upload-Metadata/);
    assert.throws(() => parseMetadata('filename ***'), /Upload-Metadata/);
  });
});

describe('SessionStore', () => {
  const account = { name: 'a', home: '/h', permissions: READ_ONLY, anonymous: false };
  it('ends a session idle too long, keeps one in use, and holds at most the cap (the least recently used goes)', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxSessions: 2, now: () => now });
    const storage = new MemoryStorage();
    const a = store.create(account, storage);
    assert.equal(a.id.length, 43, '32 random bytes');
    assert.notEqual(a.csrf, a.id);
    now = 900;
    assert.equal(store.get(a.id), a);
    now = 1800;
    assert.equal(store.get(a.id), a, 'used at 900, so alive at 1800');
    now = 2801;
    assert.equal(store.get(a.id), null);
    const b = store.create(account, storage);
    const c = store.create(account, storage);
    store.get(b.id);
    store.create(account, storage);
    assert.equal(store.size, 2);
    assert.equal(store.get(c.id), null, 'the least recently used went');
    assert.equal(store.get(b.id), b);
    assert.equal(sameToken(b.csrf, b.csrf), true);
    assert.equal(sameToken(undefined, b.csrf), false);
    assert.equal(sameToken(b.csrf.slice(1), b.csrf), false);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 2, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('k')),
      [true, true, true, false],
    );
    assert.equal(limiter.take('other'), true);
    now = 500;
    assert.deepEqual([limiter.take('k'), limiter.take('k')], [true, false]);
  });
});

describe('ShareStore', () => {
  it('forgets expired links, and reads back from its file only the live ones', async () => {
    const dir = tempDir();
    try {
      let now = 1000;
      const file = path.join(dir, 'shares.json');
      const store = await ShareStore.open(file, () => now);
      const base = { owner: 'o', user: 'u', home: '/h', type: 'file' as const, passwordHash: null };
      const short = await store.create({ ...base, path: '/a', expires: 2000 });
      const long = await store.create({ ...base, path: '/b', expires: 9000 });
      assert.equal(store.get(short.id)?.path, '/a');
      now = 2000;
      assert.equal(store.get(short.id), null);
      assert.deepEqual(
        store.ownedBy('o').map((s) => s.id),
        [long.id],
      );
      assert.equal(store.get('../../etc'), null);
      const reread = await ShareStore.open(file, () => now);
      assert.deepEqual(
        reread.ownedBy('o').map((s) => s.path),
        ['/b'],
      );
      assert.equal(await reread.revoke(long.id, 'someone else'), false);
      assert.equal(await reread.revoke(long.id, 'o'), true);
      assert.deepEqual((JSON.parse(fs.readFileSync(file, 'utf8')) as { shares: unknown[] }).shares, []);
    } finally {
      removeDir(dir);
    }
  });
});

describe('responseForError', () => {
  it('maps every FileError code to a status, the unexpected ones to a bare 500', () => {
    const expected: Record<FileErrorCode, number> = {
      NOT_FOUND: 404,
      EXISTS: 409,
      PERMISSION: 403,
      NOT_DIR: 400,
      IS_DIR: 400,
      NOT_EMPTY: 409,
      NO_SPACE: 507,
      OUTSIDE_ROOT: 403,
      INVALID_NAME: 400,
      BAD_ARGUMENT: 400,
      BAD_SEQUENCE: 400,
      NOT_LOGGED_IN: 401,
      NOT_SUPPORTED: 501,
      DATA_CONNECTION: 500,
      FILE_CHANGED: 409,
      BAD_OFFSET: 400,
      UNAVAILABLE: 503,
      IO: 500,
    };
    for (const [code, status] of Object.entries(expected))
      assert.equal(responseForError(new FileError(code as FileErrorCode, 'secret /srv/path')).status, status, code);
    const io = responseForError(new FileError('IO', 'EIO at /srv/real/path'));
    assert.deepEqual([io.body.message, io.unexpected], ['Internal error', true]);
    assert.equal(responseForError(new Error('boom')).status, 500);
  });
});
