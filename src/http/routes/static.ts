/**
 * The page itself: GET / and GET /s/<id> are web/index.html, /assets/<file>
 * is a file of web/ (one that is really there and really inside it, by its
 * real path), and /assets/vendor/<name> one of a fixed list of browser builds
 * of our dependencies. No directory listings, no traversal, nothing else.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { RequestContext } from '../context.js';
import { HttpError } from '../HttpError.js';

/** From dist/src/http/routes/static.js to the package's top. */
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../web');

/**
 * The browser builds the page loads, by the name it asks for, as module
 * specifiers: found where Node finds the package, which npm may have put
 * beside sockftp rather than inside it (a global install hoists it).
 */
const VENDOR: ReadonlyMap<string, string> = new Map([['tus.min.js', 'tus-js-client/dist/tus.min.js']]);
const moduleRequire = createRequire(import.meta.url);

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const notFound = () => new HttpError('not_found', 'Not found');

export function indexPage(ctx: RequestContext): Promise<void> {
  return sendStatic(ctx, path.join(WEB_ROOT, 'index.html'), WEB_ROOT);
}

export function asset(ctx: RequestContext): Promise<void> {
  const name = ctx.url.pathname.slice('/assets/'.length);
  // Plain names and folders only: no "..", no dot files, no encoded anything (the URL parser already decoded none of it).
  if (!/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) throw notFound();
  if (name.startsWith('vendor/')) {
    const specifier = VENDOR.get(name.slice('vendor/'.length));
    if (specifier === undefined) throw notFound();
    const file = vendored(specifier);
    return sendStatic(ctx, file, path.dirname(file));
  }
  return sendStatic(ctx, path.join(WEB_ROOT, name), WEB_ROOT);
}

/** The file a specifier names (its real path), or a 404 when the package is missing. */
function vendored(specifier: string): string {
  try {
    return moduleRequire.resolve(specifier);
  } catch {
    throw notFound();
  }
}

async function sendStatic(ctx: RequestContext, file: string, inside: string): Promise<void> {
  let real: string;
  let stat: fs.Stats;
  try {
    real = await fs.promises.realpath(file);
    stat = await fs.promises.stat(real);
  } catch {
    throw notFound();
  }
  if (!stat.isFile() || !real.startsWith(inside + path.sep)) throw notFound();
  const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ETag: etag,
  };
  if (ctx.req.headers['if-none-match'] === etag) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(200, { ...headers, 'Content-Length': stat.size });
  if (ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  await pipeline(fs.createReadStream(real), ctx.res);
}
