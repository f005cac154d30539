/**
 * What a person does with files in the browser, the same on every backend:
 * upload several files, drop files on the page, upload a folder, download one and a zip of several byte for byte,
 * resume an upload cut by the network, make a folder, rename and move, delete after a confirmation, open a
 * password-protected share link in a second browser, and see a file named
 * like markup as plain text. Run by fileManager.test.ts on local disk and by
 * s3.test.ts on a Ceph RGW bucket.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MiB, removeDir, tempDir } from '../helpers/files.js';
import { startCuttingRelay } from './cuttingRelay.js';
import {
  assertResumed,
  browser as sharedBrowser,
  entryAction,
  recordTus,
  row,
  screenshot,
  signIn,
  waitForFolder,
  waitForNames,
  watchedPage,
  type WatchedPage,
} from './harness.js';
import type { Store } from './store.js';
import { unzip } from './store.js';

export interface Backend {
  readonly url: string;
  readonly store: Store;
  /** The account the scenarios sign in with. */
  readonly user: string;
  readonly password: string;
}

// What the drop scenario touches in the page; the tests compile without the DOM library.
declare const document: { querySelector(selector: string): { dispatchEvent(event: unknown): boolean } | null };
declare const DataTransfer: new () => { readonly items: { add(file: File): unknown } };
declare const DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => unknown;

export const XSS_NAME = '<img src=x onerror=alert(1)>.txt';

/** Navigates to a folder through the URL fragment, as a bookmark would, and waits for its listing. */
export async function openFolder(page: Page, base: string, folder: string): Promise<void> {
  await page.goto(`${base}/#${folder}`);
  await waitForFolder(page, folder);
}

export interface RunningBackend extends Backend {
  stop(): Promise<void>;
}

/** The scenarios against a server that `start` starts for them (one per describe) and stops after them. */
export function fileOperationScenarios(label: string, start: () => Promise<RunningBackend>, options: { skip?: string | false } = {}): void {
  describe(`Files in a browser: ${label}`, { skip: options.skip ?? false }, () => {
    let browser: Browser;
    let scratch: string;
    let running: RunningBackend | undefined;
    const backend = () => running!;
    before(async () => {
      scratch = tempDir('sockftp-browser-');
      running = await start();
      browser = await sharedBrowser();
    });
    after(async () => {
      await running?.stop();
      removeDir(scratch);
    });

    /** A fresh signed-in page in its own context, inside folder `dir` (created with `files` in it). */
    async function session(t: TestContext, dir: string, files: Record<string, Buffer | string> = {}): Promise<WatchedPage> {
      const b = backend();
      for (const [name, data] of Object.entries(files)) await b.store.write(`${dir}/${name}`, data);
      const context = await browser.newContext({ acceptDownloads: true });
      t.after(() => context.close());
      const watched = await watchedPage(context);
      await signIn(watched.page, b.url, b.user, b.password);
      await openFolder(watched.page, b.url, dir);
      return watched;
    }

    it('uploads several files through the picker, and they arrive byte for byte', async (t) => {
      const b = backend();
      const w = await session(t, '/up', { 'keep.txt': 'already here' });
      const big = randomBytes(12 * 1024 * 1024 + 5);
      const small = Buffer.from('a small file\n');
      fs.writeFileSync(path.join(scratch, 'twelve.bin'), big);
      fs.writeFileSync(path.join(scratch, 'small.txt'), small);
      await w.page.locator('#pick-files').setInputFiles([path.join(scratch, 'twelve.bin'), path.join(scratch, 'small.txt')]);
      await w.page.locator('.upload[data-name="twelve.bin"][data-state="done"]').waitFor({ timeout: 60_000 });
      await w.page.locator('.upload[data-name="small.txt"][data-state="done"]').waitFor();
      await waitForNames(w.page, ['keep.txt', 'small.txt', 'twelve.bin']);
      assert.equal(await w.page.locator('.overall progress').evaluate((p) => (p as unknown as { value: number }).value), 100);
      assert.ok((await b.store.read('/up/twelve.bin'))?.equals(big), 'twelve.bin is byte-exact in storage');
      assert.ok((await b.store.read('/up/small.txt'))?.equals(small), 'small.txt is byte-exact in storage');
      if (b.store.kind === 'local') await screenshot(w.page, 'uploads-done');
      w.assertClean();
    });

    it('resumes an upload cut midway by the network, from the offset the server kept, byte for byte', async (t) => {
      const b = backend();
      const relay = await startCuttingRelay(Number(new URL(b.url).port));
      t.after(() => relay.close());
      const data = randomBytes(40 * MiB);
      fs.writeFileSync(path.join(scratch, 'forty.bin'), data);
      await b.store.write('/cut/.keep', '');
      const context = await browser.newContext();
      t.after(() => context.close());
      const w = await watchedPage(context);
      const via = `http://127.0.0.1:${relay.port}`;
      await signIn(w.page, via, b.user, b.password);
      await openFolder(w.page, via, '/cut');
      const cut = relay.cutAfter(20 * MiB);
      const traffic = recordTus(w.page);
      await w.page.locator('#pick-files').setInputFiles(path.join(scratch, 'forty.bin'));
      await cut;
      await w.page.locator('.upload[data-name="forty.bin"][data-state="done"]').waitFor({ timeout: 60_000 });
      assert.ok((await b.store.read('/cut/forty.bin'))?.equals(data), 'forty.bin is byte-exact in storage');
      assertResumed(traffic(), 20 * MiB);
      w.assertClean();
    });

    it('downloads a file, and several files and a folder as one zip, byte for byte', async (t) => {
      const one = randomBytes(3 * 1024 * 1024 + 1);
      const two = Buffer.from('second file\n');
      const inner = randomBytes(70_000);
      const b = backend();
      await b.store.write('/down/sub/inner.bin', inner);
      const w = await session(t, '/down', { 'one.bin': one, 'two.txt': two });
      await waitForNames(w.page, ['sub', 'one.bin', 'two.txt']);

      const [single] = await Promise.all([w.page.waitForEvent('download'), entryAction(w.page, 'one.bin', /^Download$/)]);
      assert.equal(single.suggestedFilename(), 'one.bin');
      assert.ok(fs.readFileSync(await single.path()).equals(one), 'the downloaded file is byte-exact');

      for (const name of ['sub', 'one.bin', 'two.txt']) await row(w.page, name).locator('input[type=checkbox]').check();
      await w.page.locator('.selection-bar .count', { hasText: '3 selected' }).waitFor();
      const [zip] = await Promise.all([w.page.waitForEvent('download'), w.page.locator('.selection-bar a', { hasText: 'Download as zip' }).click()]);
      assert.match(zip.suggestedFilename(), /\.zip$/);
      const members = await unzip(await zip.path());
      assert.deepEqual([...members.keys()].sort(), ['one.bin', 'sub/inner.bin', 'two.txt']);
      assert.ok(members.get('one.bin')!.equals(one));
      assert.ok(members.get('two.txt')!.equals(two));
      assert.ok(members.get('sub/inner.bin')!.equals(inner));
      w.assertClean();
    });

    it('makes a folder, renames a file, moves it into the folder, and deletes only after a confirmation', async (t) => {
      const b = backend();
      const w = await session(t, '/ops', { 'draft.txt': 'words', 'old.txt': 'to delete' });
      const { page } = w;

      await page.locator('#new-folder').click();
      await page.locator('dialog input[name=value]').fill('reports');
      await page.locator('dialog button[value=ok]').click();
      await waitForNames(page, ['reports', 'draft.txt', 'old.txt']);

      await entryAction(page, 'draft.txt', 'Rename or move');
      await page.locator('dialog input[name=value]').fill('final.txt');
      await page.locator('dialog button[value=ok]').click();
      await waitForNames(page, ['reports', 'final.txt', 'old.txt']);
      assert.equal((await b.store.read('/ops/final.txt'))?.toString(), 'words');
      assert.equal(await b.store.read('/ops/draft.txt'), null);

      await entryAction(page, 'final.txt', 'Rename or move');
      await page.locator('dialog input[name=value]').fill('reports/final.txt');
      await page.locator('dialog button[value=ok]').click();
      await waitForNames(page, ['reports', 'old.txt']);
      assert.equal((await b.store.read('/ops/reports/final.txt'))?.toString(), 'words');

      // Cancelled: nothing happens.
      await entryAction(page, 'old.txt', 'Delete');
      const confirm = page.locator('dialog[role=alertdialog]');
      await confirm.waitFor();
      if (b.store.kind === 'local') await screenshot(page, 'delete-confirm');
      await confirm.locator('button[value=cancel]').click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal((await b.store.read('/ops/old.txt'))?.toString(), 'to delete');

      await entryAction(page, 'old.txt', 'Delete');
      await confirm.locator('button[value=ok]').click();
      await waitForNames(page, ['reports']);
      assert.equal(await b.store.read('/ops/old.txt'), null);

      await page.locator('tr.entry[data-name=reports] .name-text').click();
      await waitForNames(page, ['final.txt']);
      assert.equal(await page.locator('.crumbs [aria-current=page]').textContent(), 'reports');
      w.assertClean();
    });

    it('shares a folder with a password, and a second browser opens it only with that password', async (t) => {
      const b = backend();
      const report = randomBytes(200_000);
      await b.store.write('/shared/in/report.pdf.bin', report);
      const w = await session(t, '/', {});
      const { page } = w;
      await entryAction(page, 'shared', 'Share link');
      const dialog = page.locator('dialog', { hasText: 'Share link for /shared' });
      await dialog.locator('input[name=password]').fill('open sesame');
      await dialog.locator('button[value=ok]').click();
      const urlField = dialog.locator('input.share-url');
      await urlField.waitFor();
      const shareUrl = await urlField.inputValue();
      assert.match(shareUrl, /\/s\/[^/]+$/);
      if (b.store.kind === 'local') await screenshot(page, 'share-created');
      await dialog.locator('button[value=cancel]').click();

      // Someone else, without an account: another context has none of our cookies.
      const visitorContext = await browser.newContext({ acceptDownloads: true });
      t.after(() => visitorContext.close());
      const visitor = await watchedPage(visitorContext);
      await visitor.page.goto(shareUrl);
      await visitor.page.locator('#share-password').fill('wrong');
      await visitor.page.locator('#share-password').press('Enter');
      await visitor.page.locator('#share-error', { hasText: 'Wrong password.' }).waitFor();
      if (b.store.kind === 'local') await screenshot(visitor.page, 'share-password');
      await visitor.page.locator('#share-password').fill('open sesame');
      await visitor.page.locator('#share-password').press('Enter');
      await waitForNames(visitor.page, ['in']);
      await visitor.page.locator('tr.entry[data-name=in] .name-text').click();
      await waitForNames(visitor.page, ['report.pdf.bin']);
      assert.equal(await visitor.page.locator('#upload-files').count(), 0, 'a share is read-only: no upload');
      if (b.store.kind === 'local') await screenshot(visitor.page, 'share-page');
      const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.locator('tr.entry .name-text').click()]);
      assert.ok(fs.readFileSync(await download.path()).equals(report), 'the shared file downloads byte-exact');

      // The owner lists the link and revokes it; the visitor's page then says it is gone.
      await page.locator('#show-shares').click();
      const shares = page.locator('dialog table.shares');
      await shares.locator('tr', { hasText: '/shared' }).waitFor();
      if (b.store.kind === 'local') await screenshot(page, 'share-list');
      await shares.locator('tr', { hasText: '/shared' }).locator('button.danger').click();
      await page.locator('dialog', { hasText: 'No share links yet.' }).waitFor();
      await visitor.page.reload();
      await visitor.page.locator('[role=alert]', { hasText: 'This link has expired or was revoked.' }).waitFor();
      visitor.assertClean();
      w.assertClean();
    });

    it('uploads files dropped on the page', async (t) => {
      const b = backend();
      const w = await session(t, '/dropped', { '.keep': '' });
      await w.page.evaluate(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(['first dropped file\n'], 'one.txt', { type: 'text/plain' }));
        transfer.items.add(new File([new Uint8Array([0, 1, 2, 255])], 'two.bin'));
        const target = document.querySelector('.manager')!;
        for (const type of ['dragenter', 'dragover', 'drop'])
          target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      });
      await waitForNames(w.page, ['.keep', 'one.txt', 'two.bin']);
      assert.equal((await b.store.read('/dropped/one.txt'))?.toString(), 'first dropped file\n');
      assert.deepEqual([...((await b.store.read('/dropped/two.bin')) ?? [])], [0, 1, 2, 255]);
      w.assertClean();
    });

    it('uploads a whole folder, keeping its tree', async (t) => {
      const b = backend();
      const source = path.join(scratch, 'album');
      fs.mkdirSync(path.join(source, 'day 2', 'raw'), { recursive: true });
      const files = { 'cover.txt': 'cover', 'day 2/b.txt': 'second day', 'day 2/raw/c.bin': 'raw bytes' };
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(source, name), text);
      const w = await session(t, '/folders', { '.keep': '' });
      await w.page.locator('#pick-folder').setInputFiles(source);
      for (const name of Object.keys(files)) await w.page.locator(`.upload[data-name="album/${name}"][data-state="done"]`).waitFor();
      await waitForNames(w.page, ['album', '.keep']);
      for (const [name, text] of Object.entries(files)) assert.equal((await b.store.read(`/folders/album/${name}`))?.toString(), text, name);
      w.assertClean();
    });

    it('shows a file named like markup as text, and runs none of it', async (t) => {
      const w = await session(t, '/xss', { [XSS_NAME]: 'harmless' });
      const { page } = w;
      await waitForNames(page, [XSS_NAME]);
      assert.equal(await row(page, XSS_NAME).locator('.name-text').textContent(), XSS_NAME);
      assert.equal(await page.locator('table.files img').count(), 0, 'no element was made from the name');
      await row(page, XSS_NAME).locator('button.more').click();
      assert.equal(await page.locator('dialog h2').textContent(), XSS_NAME);
      await page.keyboard.press('Escape');
      await page.locator('dialog').waitFor({ state: 'detached' });
      if (backend().store.kind === 'local') await screenshot(page, 'xss-name');
      w.assertClean();
    });
  });
}
