/**
 * The browser file manager on local disk, in Debian's chromium: signing in
 * and out, a refused password, browsing, sorting and paging, previews and
 * SHA-256, the keyboard, Indonesian, a phone-sized screen, and the scenarios
 * every backend shares (scenarios.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { removeDir, tempDir } from '../helpers/files.js';
import {
  browser as sharedBrowser,
  browserMissing,
  closeBrowser,
  focusedName,
  horizontalOverflow,
  imageLoaded,
  listedNames,
  row,
  screenshot,
  signIn,
  startWebServer,
  waitForFolder,
  waitForNames,
  watchedPage,
  writeUsers,
  type WebServer,
} from './harness.js';
import { fileOperationScenarios, openFolder } from './scenarios.js';
import { localStore } from './store.js';

const missing = browserMissing();

/** A one-page PDF with no text: enough for a viewer to open. */
const TINY_PDF = [
  '%PDF-1.4',
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
  'trailer << /Root 1 0 R >>',
  '%%EOF',
].join('\n');
const USER = 'alice';
const PASSWORD = 'correct horse battery';
/** An account with read permission only. */
const READER = 'reader';

let root = '';
let server: WebServer | undefined;
let browser: Browser | undefined;
after(closeBrowser);

/** A served folder with one account, the way an administrator sets it up. */
async function serveFolder(): Promise<{ root: string; server: WebServer; stop(): Promise<void> }> {
  const dir = tempDir('sockftp-web-root-');
  const config = tempDir('sockftp-web-config-');
  await writeUsers(path.join(config, 'users.json'), { [USER]: { password: PASSWORD }, [READER]: { password: PASSWORD, readOnly: true } });
  const web = await startWebServer(dir, ['--users', path.join(config, 'users.json')]);
  return {
    root: dir,
    server: web,
    stop: async () => {
      await web.stop();
      removeDir(dir);
      removeDir(config);
    },
  };
}

describe('The file manager in a browser, on local disk', { skip: missing ?? false }, () => {
  let served: Awaited<ReturnType<typeof serveFolder>> | undefined;
  before(async () => {
    served = await serveFolder();
    root = served.root;
    server = served.server;
    browser = await sharedBrowser();
  });
  after(() => served?.stop());

  /** A page in a context of its own, closed after `t`. */
  async function newPage(t: TestContext, options: Parameters<Browser['newContext']>[0] = {}) {
    const context = await browser!.newContext({ acceptDownloads: true, ...options });
    t.after(() => context.close());
    return watchedPage(context);
  }

  it('refuses a wrong password with a clear message, then signs in and out', async (t) => {
    const w = await newPage(t);
    const { page } = w;
    await page.goto(`${server!.url}/`);
    await page.locator('#login-user').waitFor();
    await screenshot(page, 'sign-in');
    await page.locator('#login-user').fill(USER);
    await page.locator('#login-password').fill('not the password');
    await page.locator('#login-password').press('Enter');
    await page.locator('#login-error', { hasText: 'Wrong user name or password.' }).waitFor();
    assert.equal(await page.locator('#login-password').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'sign-in-refused');

    await signIn(page, server!.url, USER, PASSWORD);
    assert.equal(await page.locator('#who').textContent(), `Signed in as ${USER}`);
    await page.locator('#signout').click();
    await page.locator('#login-user').waitFor();
    assert.equal(await page.evaluate(() => fetch('/api/session').then((r) => r.status)), 401, 'the session ended on the server too');
    await page.reload();
    await page.locator('#login-user').waitFor();
    w.assertClean();
  });

  it('signs in anonymously where the server allows it', async (t) => {
    const w = await newPage(t);
    await w.page.goto(`${server!.url}/`);
    await w.page.locator('button', { hasText: 'Sign in anonymously' }).click();
    await w.page.locator('#who', { hasText: 'Signed in as anonymous' }).waitFor();
    w.assertClean();
  });

  it('browses with breadcrumbs and sorts by name, size and date, folders first', async (t) => {
    const dir = path.join(root, 'browse');
    fs.mkdirSync(path.join(dir, 'zeta', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'alpha'));
    const files: [string, number, number][] = [
      ['b.txt', 300, 3],
      ['a.txt', 100, 1],
      ['c.txt', 200, 2],
    ];
    for (const [name, size, day] of files) {
      fs.writeFileSync(path.join(dir, name), Buffer.alloc(size, 0x61));
      fs.utimesSync(path.join(dir, name), new Date(Date.UTC(2024, 0, day)), new Date(Date.UTC(2024, 0, day)));
    }
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    await page.locator('tr.entry[data-name=browse] .name-text').click();
    await waitForNames(page, ['alpha', 'zeta', 'a.txt', 'b.txt', 'c.txt']);
    await screenshot(page, 'file-list');

    // Each click sorts on the server; the header says how once the new page is drawn.
    const sortBy = async (key: string, order: 'ascending' | 'descending') => {
      await page.locator(`button.sort[data-sort=${key}]`).click();
      await page.locator(`th[aria-sort=${order}] button.sort[data-sort=${key}]`).waitFor();
      await page.locator('.listing:not([aria-busy])').waitFor();
      const names = await listedNames(page);
      assert.deepEqual(names.slice(0, 2).sort(), ['alpha', 'zeta'], `folders first when sorted by ${key}`);
      return names.slice(2);
    };
    assert.deepEqual(await sortBy('size', 'ascending'), ['a.txt', 'c.txt', 'b.txt']);
    assert.deepEqual(await sortBy('size', 'descending'), ['b.txt', 'c.txt', 'a.txt']);
    assert.deepEqual(await sortBy('modified', 'ascending'), ['a.txt', 'c.txt', 'b.txt']);
    assert.deepEqual(await sortBy('modified', 'descending'), ['b.txt', 'c.txt', 'a.txt']);
    await page.locator('button.sort[data-sort=name]').click();
    await waitForNames(page, ['alpha', 'zeta', 'a.txt', 'b.txt', 'c.txt']);

    await page.locator('tr.entry[data-name=zeta] .name-text').click();
    await page.locator('tr.entry[data-name=deeper] .name-text').click();
    await waitForFolder(page, '/browse/zeta/deeper');
    assert.deepEqual(await page.locator('.crumbs li').allTextContents(), ['Home', 'browse', 'zeta', 'deeper']);
    await page.locator('tr.empty', { hasText: '(empty)' }).waitFor({ state: 'attached' });
    await page.locator('.crumbs a', { hasText: 'browse' }).click();
    await waitForNames(page, ['alpha', 'zeta', 'a.txt', 'b.txt', 'c.txt']);
    await page.goBack();
    await page.locator('tr.empty').waitFor({ state: 'attached' });
    w.assertClean();
  });

  it('pages through a folder of 10,000 entries, one page of rows at a time', async (t) => {
    const dir = path.join(root, 'many');
    fs.mkdirSync(dir);
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(5, '0')}.dat`), '');
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    await openFolder(page, server!.url, '/many');
    await page
      .locator('.page-info', { hasText: '1–100 of 10,000' })
      .or(page.locator('.page-info', { hasText: '1–100 of 10000' }))
      .waitFor();
    // Only one page of rows is ever in the document: that is what keeps 10,000 entries fast (the speed itself is the bench's, not a test's).
    assert.equal(await page.locator('tr.entry').count(), 100);
    assert.equal((await listedNames(page))[0], 'f00000.dat');
    await page.locator('button[aria-label="Next page"]').click();
    await page.locator('tr.entry[data-name="f00100.dat"]').waitFor();
    assert.equal(await page.locator('tr.entry').count(), 100);
    await page.locator('button.sort[data-sort=name]').click();
    await page.locator('tr.entry[data-name="f09999.dat"]').waitFor();
    w.assertClean();
  });

  it('previews a text file, an image and a PDF, and shows the SHA-256 of a file', async (t) => {
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    const image = await page.screenshot({ type: 'png' });
    fs.mkdirSync(path.join(root, 'preview'));
    fs.writeFileSync(path.join(root, 'preview', 'notes.txt'), 'first line\n<b>not bold</b>\n');
    fs.writeFileSync(path.join(root, 'preview', 'picture.png'), image);
    fs.writeFileSync(path.join(root, 'preview', 'paper.pdf'), TINY_PDF);
    await openFolder(page, server!.url, '/preview');
    await row(page, 'notes.txt').locator('.name-text').click();
    await page.locator('dialog.preview pre', { hasText: '<b>not bold</b>' }).waitFor();
    assert.equal(await page.locator('dialog.preview .hint').count(), 0, 'a small file is shown whole, with no note that it was cut');
    await screenshot(page, 'preview-text');
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });

    await row(page, 'picture.png').locator('.name-text').click();
    const img = page.locator('dialog.preview img');
    await img.waitFor();
    await imageLoaded(page, 'dialog.preview img');
    await page.keyboard.press('Escape');

    await row(page, 'paper.pdf').locator('.name-text').click();
    const [pdf] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/file' && new URL(r.url()).searchParams.get('path') === '/preview/paper.pdf'),
      page.locator('dialog.preview iframe[title="paper.pdf"]').waitFor(),
    ]);
    // The frame loaded it without a CSP refusal (assertClean would see one); what it was served as, the page asks once more.
    assert.equal(pdf.status(), 200);
    const served = await page.evaluate((url) => fetch(url).then((r) => [r.headers.get('Content-Type'), r.headers.get('Content-Disposition')]), pdf.url());
    assert.equal(served[0], 'application/pdf');
    assert.match(served[1] ?? '', /^inline/);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });

    await row(page, 'picture.png').locator('button.more').click();
    await page.locator('dialog .menu-item', { hasText: 'SHA-256' }).click();
    const want = createHash('sha256').update(image).digest('hex');
    await page.locator('dialog code.hash', { hasText: want }).waitFor();
    await screenshot(page, 'sha256');
    w.assertClean();
  });

  it('is usable from the keyboard: rows open with Enter, select with Space, dialogs close with Escape', async (t) => {
    fs.mkdirSync(path.join(root, 'keys', 'inner'), { recursive: true });
    fs.writeFileSync(path.join(root, 'keys', 'k.txt'), 'k');
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    await openFolder(page, server!.url, '/keys');
    await row(page, 'inner').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedName(page), 'k.txt');
    await page.keyboard.press(' ');
    await page.locator('.selection-bar .count', { hasText: '1 selected' }).waitFor();
    assert.equal(await row(page, 'k.txt').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Delete');
    await page.locator('dialog[role=alertdialog]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    assert.ok(fs.existsSync(path.join(root, 'keys', 'k.txt')), 'Escape cancelled the delete');
    await row(page, 'inner').focus();
    await page.keyboard.press('Enter');
    await waitForFolder(page, '/keys/inner');
    w.assertClean();
  });

  it('speaks Indonesian by the browser language, with the shell words, and remembers a switch to English', async (t) => {
    fs.mkdirSync(path.join(root, 'bahasa'));
    fs.writeFileSync(path.join(root, 'bahasa', 'hapus.txt'), 'x');
    const w = await newPage(t, { locale: 'id-ID' });
    const { page } = w;
    await page.goto(`${server!.url}/`);
    await page.locator('#login-title', { hasText: 'Masuk' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    await page.locator('#login-user').fill(USER);
    await page.locator('#login-password').fill('salah');
    await page.locator('#login-password').press('Enter');
    await page.locator('#login-error', { hasText: 'Nama pengguna atau kata sandi salah.' }).waitFor();
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-password').press('Enter');
    await page.locator('#upload-files', { hasText: 'Unggah file' }).waitFor();
    await openFolder(page, server!.url, '/bahasa');
    await screenshot(page, 'indonesian');
    await row(page, 'hapus.txt').locator('button.more').click();
    await page.locator('dialog .menu-item', { hasText: 'Hapus' }).click();
    await page.locator('dialog[role=alertdialog] button[value=ok]').click();
    await page.locator('#status', { hasText: 'File Berhasil Dihapus' }).waitFor({ state: 'attached' });
    await page.locator('tr.empty', { hasText: '(kosong)' }).waitFor({ state: 'attached' });

    await page.locator('#lang').selectOption('en');
    await page.locator('#upload-files', { hasText: 'Upload files' }).waitFor();
    await page.reload();
    await page.locator('#upload-files', { hasText: 'Upload files' }).waitFor();
    w.assertClean();
  });

  it('shares a single file; the visitor gets its name and a download, byte for byte', async (t) => {
    fs.mkdirSync(path.join(root, 'single'));
    const bytes = Buffer.from('one file, shared alone\n');
    fs.writeFileSync(path.join(root, 'single', 'alone.txt'), bytes);
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    await openFolder(page, server!.url, '/single');
    await row(page, 'alone.txt').locator('button.more').click();
    await page.locator('dialog .menu-item', { hasText: 'Share link' }).click();
    await page.locator('dialog button[value=ok]').click();
    const shareUrl = await page.locator('dialog input.share-url').inputValue();

    const visitor = await newPage(t);
    await visitor.page.goto(shareUrl);
    await visitor.page.locator('h1.share-name', { hasText: 'alone.txt' }).waitFor();
    const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.locator('a', { hasText: 'Download' }).click()]);
    assert.ok(fs.readFileSync(await download.path()).equals(bytes));
    visitor.assertClean();
    w.assertClean();
  });

  it('offers a read-only account no control it may not use', async (t) => {
    fs.mkdirSync(path.join(root, 'readonly'));
    fs.writeFileSync(path.join(root, 'readonly', 'look.txt'), 'look, do not touch');
    const w = await newPage(t);
    const { page } = w;
    await signIn(page, server!.url, READER, PASSWORD);
    await openFolder(page, server!.url, '/readonly');
    for (const control of ['#upload-files', '#upload-folder', '#new-folder']) assert.equal(await page.locator(control).count(), 0, control);
    await row(page, 'look.txt').locator('button.more').click();
    const items = await page.locator('dialog .menu-item').allTextContents();
    assert.ok(items.includes('Download') && !items.includes('Delete') && !items.includes('Rename or move'), items.join(', '));
    w.assertClean();
  });

  it('fits a phone-sized screen', async (t) => {
    fs.mkdirSync(path.join(root, 'phone', 'photos'), { recursive: true });
    for (const [name, size] of [
      ['a rather long file name that will not fit on a phone.pdf', 1_500_000],
      ['notes.txt', 2_000],
    ] as const)
      fs.writeFileSync(path.join(root, 'phone', name), Buffer.alloc(size));
    const w = await newPage(t, { viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
    const { page } = w;
    await signIn(page, server!.url, USER, PASSWORD);
    await openFolder(page, server!.url, '/phone');
    await waitForNames(page, ['photos', 'a rather long file name that will not fit on a phone.pdf', 'notes.txt']);
    const overflow = await horizontalOverflow(page);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    assert.equal(await page.locator('th.col-modified').isVisible(), false, 'the date column gives way');
    const more = await row(page, 'notes.txt').locator('button.more').boundingBox();
    assert.ok(
      more && more.height >= 44 && more.width >= 44 && more.x + more.width <= 390,
      `the actions button is a finger's target on screen: ${JSON.stringify(more)}`,
    );
    await screenshot(page, 'phone');
    w.assertClean();
  });
});

fileOperationScenarios(
  'local disk',
  async () => {
    const s = await serveFolder();
    return { url: s.server.url, store: localStore(s.root), user: USER, password: PASSWORD, stop: () => s.stop() };
  },
  { skip: missing ?? false },
);
