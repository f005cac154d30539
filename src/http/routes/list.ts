/** GET /api/list?path=&sort=&order=&offset=&limit=: one sorted page of a directory, as JSON (names are data, never markup). */
import type { FileOperations } from '../../core/FileOperations.js';
import type { FileInfo } from '../../core/FileInfo.js';
import { filesOf, sessionOf, type RequestContext } from '../context.js';
import { parseListQuery, sortEntries, toEntry } from '../listing.js';
import { sendJson } from '../respond.js';
import { LISTED_MS, type WebSession } from '../SessionStore.js';

export async function list(ctx: RequestContext): Promise<void> {
  const files = filesOf(ctx);
  sendJson(ctx.res, 200, await listPage(files, ctx.url.searchParams.get('path') ?? '/', ctx.url.searchParams, undefined, sessionOf(ctx)));
}

/** The listing of `arg` as the API answers it; `shown` is the path the answer names (a share's own view of it). */
export async function listPage(files: FileOperations, arg: string, params: URLSearchParams, shown?: string, session?: WebSession) {
  const query = parseListQuery(params);
  // The path is looked at every time (permission, "not found"); only the reading of a directory is kept.
  const { path, listing } = await files.listing(arg);
  let entries: FileInfo[];
  const listed = session?.listed;
  if (listing.kind === 'file') entries = [listing.info];
  else if (listed && listed.path === path && Date.now() - listed.at < LISTED_MS) entries = [...listed.entries];
  else {
    const changes = session?.changes;
    entries = [];
    for await (const page of listing.pages) for (const entry of page) entries.push(entry);
    if (session && session.changes === changes) session.listed = { path, at: Date.now(), entries: [...entries] };
  }
  sortEntries(entries, query);
  return {
    path: shown ?? path,
    total: entries.length,
    entries: entries.slice(query.offset, query.offset + query.limit).map(toEntry),
  };
}
