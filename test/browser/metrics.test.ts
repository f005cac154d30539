/**
 * A real browser's traffic in the same metrics as FTP's: Debian's chromium
 * signs in on the page, uploads a file through it (tus-js-client) and
 * downloads it back, and /metrics counts the sign-in, the upload and the
 * download with door="http", byte for byte.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { removeDir, tempDir } from '../helpers/files.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { browser, browserMissing, closeBrowser, entryAction, signIn, startWebServer, waitForNames, watchedPage, writeUsers } from './harness.js';

const missing = browserMissing();
const USER = 'alice';
const PASSWORD = 'correct horse battery';

describe('a browser in the metrics', { skip: missing ?? false }, () => {
  after(() => closeBrowser());

  it('counts its sign-in, its upload and its download with door="http"', async (t) => {
    const dir = tempDir('sockftp-browser-metrics-');
    t.after(() => removeDir(dir));
    const root = path.join(dir, 'root');
    fs.mkdirSync(root);
    await writeUsers(path.join(dir, 'users.json'), { [USER]: { password: PASSWORD } });
    const server = await startWebServer(root, ['--users', path.join(dir, 'users.json'), '--anonymous', 'off', '--admin-address', '127.0.0.1:0']);
    t.after(() => server.stop());
    const adminUrl = /admin at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.ftp.output())![1];
    const bytes = randomBytes(300_000);
    const source = path.join(dir, 'photo.bin');
    fs.writeFileSync(source, bytes);
    const before = await scrapeMetrics(adminUrl);

    const context = await (await browser()).newContext({ acceptDownloads: true });
    t.after(() => context.close());
    const w = await watchedPage(context);
    await signIn(w.page, server.url, USER, PASSWORD);
    await w.page.locator('#pick-files').setInputFiles(source);
    await w.page.locator('.upload[data-name="photo.bin"][data-state="done"]').waitFor();
    await waitForNames(w.page, ['photo.bin']);
    const [download] = await Promise.all([w.page.waitForEvent('download'), entryAction(w.page, 'photo.bin', /^Download$/)]);
    assert.ok(fs.readFileSync(await download.path()).equals(bytes));
    w.assertClean();

    const now = await scrapeMetrics(adminUrl);
    const moved = (key: string) => (now.get(key) ?? 0) - (before.get(key) ?? 0);
    assert.equal(moved('sockftp_logins_total{door="http",result="ok"}'), 1);
    assert.equal(moved('sockftp_transfers_total{direction="download",door="http",result="ok"}'), 1);
    assert.equal(moved('sockftp_bytes_sent_total{door="http"}'), bytes.length);
    // tus-js-client sends the file in as many PATCHes as it likes; together they are the file.
    assert.ok(moved('sockftp_transfers_total{direction="upload",door="http",result="ok"}') >= 1);
    assert.equal(moved('sockftp_bytes_received_total{door="http"}'), bytes.length);
    assert.equal(moved('sockftp_transfers_total{direction="upload",door="ftp",result="ok"}'), 0);
  });
});
