/**
 * What every browser test file needs: Debian's chromium driven by
 * playwright-core (one browser per file), the real `sockftp serve` with its
 * web door on a loopback port (one per describe), accounts in a users file,
 * a page that fails the test on any script error or CSP violation, and
 * screenshots of the main screens (into a temporary folder on every run, and
 * into SOCKFTP_SCREENSHOTS, e.g. docs/screenshots, when set).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/passwordHash.js';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js';
import { writeUsersFile, type UserRecord } from '../../src/auth/UsersFile.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startServer, type RunningServer } from '../helpers/server.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null. In CI chromium is installed (.ci/run), so a missing one fails instead. */
export function browserMissing(): string | null {
  if (fs.existsSync(CHROMIUM)) return null;
  if (process.env.CI) throw new Error(`CI is set, so the browser tests must run, but ${CHROMIUM} is missing (.ci/run installs chromium)`);
  return `${CHROMIUM} is not installed (apt-get install chromium)`;
}

let shared: Promise<Browser> | null = null;

/** The one browser of this test file (each file runs in a process of its own); closeBrowser() in the file's after(). */
export function browser(): Promise<Browser> {
  shared ??= launchBrowser();
  return shared;
}

export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = null;
  if (b) await (await b).close();
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No lookups of any outside name: the page may reach only the server under test.
    args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
}

export interface WebServer {
  readonly ftp: RunningServer;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  stop(): Promise<void>;
}

/** `sockftp serve ROOT --http-address 127.0.0.1:0 ...args`, resolved once it prints the web door's URL. */
export async function startWebServer(root: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<WebServer> {
  const ftp = await startServer(root, ['--http-address', '127.0.0.1:0', ...args], [], env);
  const pattern = /https?:\/\/127\.0\.0\.1:\d+/;
  await ftp.waitForOutput(pattern, 15_000);
  const url = pattern.exec(ftp.output())![0];
  return { ftp, url, stop: async () => void (await ftp.stop()) };
}

export interface Account {
  readonly password: string;
  readonly home?: string | null;
  readonly readOnly?: boolean;
}

/** Writes a users file with these accounts (hashed as `sockftp user add` hashes them). */
export async function writeUsers(file: string, accounts: Readonly<Record<string, Account>>): Promise<void> {
  const users = new Map<string, UserRecord>();
  for (const [name, a] of Object.entries(accounts)) {
    users.set(name, { password: await hashPassword(a.password), home: a.home ?? null, permissions: a.readOnly ? new Set(['read']) : ALL_PERMISSIONS });
  }
  await writeUsersFile(file, users);
}

/**
 * A page that records what must never happen: an uncaught error, a CSP
 * violation, an alert or other dialog (the XSS test relies on it). Call
 * `assertClean()` at the end of each test.
 */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
  assertClean(): void;
}

export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    // A 401 from /api/session or a refused login is logged by Chromium as a failed resource: expected, not a problem.
    if (msg.type() === 'error' && !/^Failed to load resource/.test(text)) problems.push(`console: ${text}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, problems, assertClean: () => assert.deepEqual(problems, [], 'the page reported problems') };
}

/** Signs in through the form and waits for the listing. */
export async function signIn(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#login-user').fill(user);
  await page.locator('#login-password').fill(password);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('table.files').waitFor();
  await page.locator('.listing[aria-busy]').waitFor({ state: 'detached' });
}

/** Waits until the listing shows exactly these names (in this order), e.g. after an action reloads it. */
export async function waitForNames(page: Page, names: readonly string[]): Promise<void> {
  // A function, not a string: the page's CSP forbids eval, and Playwright runs functions outside it.
  try {
    await page.waitForFunction(
      (want) => JSON.stringify([...document.querySelectorAll('tr.entry')].map((tr) => tr.getAttribute('data-name'))) === want,
      JSON.stringify(names),
      { timeout: 10_000 },
    );
  } catch (err) {
    assert.deepEqual(await listedNames(page), names, `the listing never showed these names (${(err as Error).message})`);
  }
}

/**
 * Waits until the page shows `folder` ("/a/b"): its crumbs, which are drawn with its listing, and no
 * listing busy. Any listing that is not busy is not enough: right after a click or a change of the
 * fragment, the previous folder's finished listing is still there.
 */
export async function waitForFolder(page: Page, folder: string): Promise<void> {
  const segments = folder.split('/').filter(Boolean);
  await page.waitForFunction(
    ([depth, last]) => {
      const crumbs = [...document.querySelectorAll('.crumbs li')];
      const shown = crumbs.length === depth + 1 && (depth === 0 || crumbs[depth].textContent === last);
      return shown && document.querySelector('.listing[aria-busy]') === null;
    },
    [segments.length, segments.at(-1) ?? ''] as const,
  );
}

export function listedNames(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('tr.entry')].map((tr) => tr.getAttribute('data-name') ?? ''));
}

/** A row of the listing by file name. */
export function row(page: Page, name: string) {
  return page.locator(`tr.entry[data-name="${name.replace(/["\\]/g, '\\$&')}"]`);
}

/** Opens the actions menu of `name` and clicks the item labelled `label`. */
export async function entryAction(page: Page, name: string, label: string | RegExp): Promise<void> {
  await row(page, name).locator('button.more').click();
  await page.locator('dialog.actions-dialog .menu-item', { hasText: label }).click();
}

/** What the page asked of the tus endpoint, in order: creations (POST) and the offsets its PATCHes started from. */
export interface TusTraffic {
  readonly creations: number;
  readonly patchOffsets: readonly number[];
}

/**
 * Records the page's tus requests from now on (across reloads of the page).
 * One creation and offsets that never go back is an upload that resumed; a
 * restart shows as a second creation or a PATCH from an earlier offset.
 */
export function recordTus(page: Page): () => TusTraffic {
  let creations = 0;
  const patchOffsets: number[] = [];
  page.on('request', (request) => {
    if (!new URL(request.url()).pathname.startsWith('/api/uploads')) return;
    if (request.method() === 'POST') creations++;
    if (request.method() === 'PATCH') patchOffsets.push(Number(request.headers()['upload-offset']));
  });
  return () => ({ creations, patchOffsets: [...patchOffsets] });
}

/** Fails unless the upload was created once and every PATCH went on from where an earlier one stood. */
export function assertResumed(traffic: TusTraffic, cutAt: number): void {
  assert.equal(traffic.creations, 1, 'one upload, created once');
  const offsets = traffic.patchOffsets;
  assert.deepEqual(
    offsets,
    [...offsets].sort((a, b) => a - b),
    `PATCH offsets never go back: ${offsets.join(', ')}`,
  );
  assert.ok(
    offsets.some((o) => o > 0 && o <= cutAt) && offsets.some((o) => o > cutAt / 2),
    `the upload went on from past the start after the failure at ${cutAt}: ${offsets.join(', ')}`,
  );
}

/** The little of the page's DOM that functions run in the page read here (this project compiles without the DOM's types). */
interface PageElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  readonly complete?: boolean;
  readonly naturalWidth?: number;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement>;
  querySelector(selector: string): PageElement | null;
  readonly activeElement: PageElement | null;
  readonly documentElement: { readonly scrollWidth: number };
};
declare const window: { readonly innerWidth: number };

/** Whether the image in `selector` has loaded and decoded to a picture. */
export function imageLoaded(page: Page, selector: string): Promise<unknown> {
  return page.waitForFunction((s) => {
    const img = document.querySelector(s);
    return img !== null && img.complete === true && (img.naturalWidth ?? 0) > 0;
  }, selector);
}

export function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-name') ?? null);
}

/** How many pixels the page is wider than its window (0 or less: it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

let runShots: string | null = null;

/** This run's screenshots folder, made at the first screenshot (kept after the run, for a person to look at). */
export function screenshotsDir(): string {
  runShots ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sockftp-screenshots-'));
  return runShots;
}

/** Saves a screenshot of the page as NAME.png in this run's folder, and in SOCKFTP_SCREENSHOTS when set. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotsDir(), `${name}.png`);
  await page.screenshot({ path: file });
  const keep = process.env.SOCKFTP_SCREENSHOTS;
  if (keep) {
    const dir = path.resolve(REPO_ROOT, keep);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `${name}.png`));
  }
  return file;
}
