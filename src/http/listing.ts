/**
 * A directory for the page: every entry read, sorted (directories first,
 * then by the chosen key), and one page of it. Sorting the whole directory
 * here keeps paging consistent; 10,000 entries sort in a few milliseconds.
 */
import type { FileInfo } from '../core/FileInfo.js';
import { badRequest } from './HttpError.js';

export type SortKey = 'name' | 'size' | 'modified';

export interface ListQuery {
  readonly sort: SortKey;
  readonly descending: boolean;
  readonly offset: number;
  readonly limit: number;
}

export interface ListEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link';
  readonly size: number;
  readonly modified: string;
}

export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 200;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function parseListQuery(params: URLSearchParams): ListQuery {
  const sort = params.get('sort') ?? 'name';
  if (sort !== 'name' && sort !== 'size' && sort !== 'modified') throw badRequest('sort must be name, size or modified');
  const order = params.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('order must be asc or desc');
  return {
    sort,
    descending: order === 'desc',
    offset: integerParam(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
    limit: integerParam(params, 'limit', DEFAULT_PAGE, 1, MAX_PAGE),
  };
}

export function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw badRequest(`${name} must be a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw badRequest(`${name} must be between ${min} and ${max}`);
  return value;
}

export function sortEntries(entries: FileInfo[], query: Pick<ListQuery, 'sort' | 'descending'>): FileInfo[] {
  const sign = query.descending ? -1 : 1;
  const byName = (a: FileInfo, b: FileInfo) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const byKey =
    query.sort === 'size'
      ? (a: FileInfo, b: FileInfo) => a.size - b.size
      : query.sort === 'modified'
        ? (a: FileInfo, b: FileInfo) => a.mtime.getTime() - b.mtime.getTime()
        : byName;
  return entries.sort((a, b) => {
    const dirs = Number(b.type === 'dir') - Number(a.type === 'dir');
    return dirs || sign * (byKey(a, b) || byName(a, b));
  });
}

export function toEntry(info: FileInfo): ListEntry {
  return { name: info.name, type: info.type === 'dir' || info.type === 'link' ? info.type : 'file', size: info.size, modified: info.mtime.toISOString() };
}
