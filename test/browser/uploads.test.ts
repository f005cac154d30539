/**
 * Uploads in a real browser on local disk: a 50 MiB file with its progress
 * shown, a connection dropped midway (the upload resumes from the server's
 * offset, not from zero), a page reload midway (the same file picked again
 * resumes) and cancel (drag-and-drop and folders are in scenarios.ts, on every backend). Every result is
 * compared byte for byte with its source on disk.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { startCuttingRelay, type CuttingRelay } from './cuttingRelay.js';
import {
  assertResumed,
  browser,
  browserMissing,
  closeBrowser,
  recordTus,
  screenshot,
  signIn,
  startWebServer,
  waitForNames,
  watchedPage,
  writeUsers,
  type WebServer,
} from './harness.js';
import { openFolder } from './scenarios.js';

const missing = browserMissing();
const USER = 'uploader';
const PASSWORD = 'sends big files';
const BIG = 50 * MiB;

declare const document: {
  querySelectorAll(selector: string): Iterable<{ value: number }>;
};
declare const window: { sockftpBars?: number[] };
declare const MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean | string[]>): void };

/** Records every value the file's progress bar takes, from now on, in the page. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = [];
    window.sockftpBars = seen;
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('.upload progress')) seen.push(bar.value);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });
}

function progressSeen(page: Page): Promise<number[]> {
  return page.evaluate(() => window.sockftpBars ?? []);
}

describe('Uploads in a browser', { skip: missing ?? false }, () => {
  let root: string;
  let scratch: string;
  let config: string;
  let server: WebServer;
  let relay: CuttingRelay;
  let bigFile: string;
  let bigSha: string;
  /** The web door through the relay: the same server, on a network that can fail. */
  let relayed: string;

  before(async () => {
    root = tempDir('sockftp-web-uploads-');
    scratch = tempDir('sockftp-web-sources-');
    config = tempDir('sockftp-web-config-');
    await writeUsers(path.join(config, 'users.json'), { [USER]: { password: PASSWORD } });
    server = await startWebServer(root, ['--users', path.join(config, 'users.json'), '--anonymous', 'off']);
    relay = await startCuttingRelay(Number(new URL(server.url).port));
    relayed = `http://127.0.0.1:${relay.port}`;
    bigFile = path.join(scratch, 'fifty.bin');
    bigSha = randomFile(bigFile, BIG);
  });
  after(async () => {
    await closeBrowser();
    await relay?.close();
    await server?.stop();
    for (const dir of [root, scratch, config]) if (dir) removeDir(dir);
  });

  /** A signed-in page in `folder`, in a context of its own closed after `t`. */
  async function signedIn(t: TestContext, base: string, folder: string) {
    fs.mkdirSync(path.join(root, folder), { recursive: true });
    const context = await (await browser()).newContext();
    t.after(() => context.close());
    const w = await watchedPage(context);
    await signIn(w.page, base, USER, PASSWORD);
    await openFolder(w.page, base, `/${folder}`);
    return w;
  }

  it('uploads a 50 MiB file, showing its progress and the overall progress as it goes', async (t) => {
    const w = await signedIn(t, server.url, 'big');
    await recordProgress(w.page);
    await w.page.locator('#pick-files').setInputFiles(bigFile);
    await w.page.locator('.upload[data-name="fifty.bin"][data-state="done"]').waitFor({ timeout: 60_000 });
    await waitForNames(w.page, ['fifty.bin']);
    const seen = await progressSeen(w.page);
    assert.ok(
      seen.some((v) => v > 0 && v < 100),
      `the bar moved through values between 0 and 100: ${seen.join(',')}`,
    );
    assert.equal(await w.page.locator('.overall progress').evaluate((p) => (p as unknown as { value: number }).value), 100);
    assert.match((await w.page.locator('.overall-text').textContent()) ?? '', /1\/1 .*100%/);
    assert.equal(await sha256File(path.join(root, 'big', 'fifty.bin')), bigSha);
    w.assertClean();
  });

  it('resumes an upload whose connection drops midway, from where the server stopped, byte for byte', async (t) => {
    const w = await signedIn(t, relayed, 'dropped');
    const traffic = recordTus(w.page);
    const cut = relay.cutAfter(20 * MiB);
    await w.page.locator('#pick-files').setInputFiles(bigFile);
    await cut;
    await w.page.locator('.upload[data-name="fifty.bin"][data-state="done"]').waitFor({ timeout: 60_000 });
    assert.equal(await sha256File(path.join(root, 'dropped', 'fifty.bin')), bigSha);
    // Chromium itself re-sends a request whose reused connection was reset (with its old offset, which the
    // server refuses), so the bytes sent say little; what the page asked for says whether it resumed.
    assertResumed(traffic(), 20 * MiB);
    w.assertClean();
  });

  it('resumes after a page reload midway when the same file is picked again', async (t) => {
    const w = await signedIn(t, relayed, 'reloaded');
    const { page } = w;
    const traffic = recordTus(page);
    const held = relay.holdAfter(25 * MiB);
    await page.locator('#pick-files').setInputFiles(bigFile);
    await held;
    await page.locator('.upload[data-name="fifty.bin"][data-state="running"]').waitFor();
    await screenshot(page, 'upload-in-progress');
    await page.reload();
    relay.release();
    await page.locator('.listing:not([aria-busy])').waitFor();
    assert.equal(fs.existsSync(path.join(root, 'reloaded', 'fifty.bin')), false, 'nothing appears before the upload is complete');
    await page.locator('.uploads .unfinished', { hasText: 'Not finished when the page closed: fifty.bin.' }).waitFor();
    assert.equal(await page.locator('.uploads .overall').isVisible(), false, 'no overall bar while nothing is sent');
    await screenshot(page, 'upload-unfinished');
    await page.locator('#pick-files').setInputFiles(bigFile);
    await page.locator('.upload[data-name="fifty.bin"][data-state="done"]').waitFor({ timeout: 60_000 });
    assert.match((await page.locator('.upload[data-name="fifty.bin"] .upload-status').textContent()) ?? '', /Done/);
    assert.equal(await page.locator('.uploads .unfinished').isVisible(), false, 'the note goes once the file is picked again');
    assert.equal(await sha256File(path.join(root, 'reloaded', 'fifty.bin')), bigSha);
    assertResumed(traffic(), 25 * MiB);
    w.assertClean();
  });

  it('cancels an upload under way, and no file appears', async (t) => {
    const w = await signedIn(t, relayed, 'cancelled');
    const held = relay.holdAfter(5 * MiB);
    await w.page.locator('#pick-files').setInputFiles(bigFile);
    await held;
    await w.page.locator('.upload[data-name="fifty.bin"] button[aria-label="Cancel upload of fifty.bin"]').click();
    await w.page.locator('.upload[data-name="fifty.bin"][data-state="cancelled"]').waitFor();
    relay.release();
    await w.page.locator('#status', { hasText: 'Cancelled: fifty.bin' }).waitFor({ state: 'attached' });
    await w.page.reload();
    await w.page.locator('tr.empty').waitFor({ state: 'attached' });
    assert.deepEqual(fs.readdirSync(path.join(root, 'cancelled')), []);
    w.assertClean();
  });
});
