/** GET /api/list?path=&sort=&order=&offset=&limit=: one sorted page of a directory, as JSON (names are data, never markup). */
import type { FileOperations } from '../../core/FileOperations.js';
import type { FileInfo } from '../../core/FileInfo.js';
import { filesOf, type RequestContext } from '../context.js';
import { parseListQuery, sortEntries, toEntry } from '../listing.js';
import { sendJson } from '../respond.js';

export async function list(ctx: RequestContext): Promise<void> {
  const files = filesOf(ctx);
  sendJson(ctx.res, 200, await listPage(files, ctx.url.searchParams.get('path') ?? '/', ctx.url.searchParams));
}

/** The listing of `arg` as the API answers it; `shown` is the path the answer names (a share's own view of it). */
export async function listPage(files: FileOperations, arg: string, params: URLSearchParams, shown?: string) {
  const query = parseListQuery(params);
  const { path, listing } = await files.listing(arg);
  let entries: FileInfo[];
  if (listing.kind === 'file') entries = [listing.info];
  else {
    entries = [];
    for await (const page of listing.pages) for (const entry of page) entries.push(entry);
  }
  sortEntries(entries, query);
  return {
    path: shown ?? path,
    total: entries.length,
    entries: entries.slice(query.offset, query.offset + query.limit).map(toEntry),
  };
}
