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

/**
 * Names compare without case and with numbers by value (file2 before file10), through a key made
 * once per entry: a collator's compare on every pair was 100-200 ms for 10,000 entries, this is a
 * few. Ties (names that differ only in case) go by the names' own code units.
 */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, '').padStart(16, '0'));
}

export function sortEntries(entries: FileInfo[], query: Pick<ListQuery, 'sort' | 'descending'>): FileInfo[] {
  const sign = query.descending ? -1 : 1;
  const keyed = entries.map((info) => ({ info, key: nameKey(info.name) }));
  const byName = (a: { info: FileInfo; key: string }, b: { info: FileInfo; key: string }) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.info.name < b.info.name ? -1 : a.info.name > b.info.name ? 1 : 0;
  const byKey =
    query.sort === 'size'
      ? (a: { info: FileInfo }, b: { info: FileInfo }) => a.info.size - b.info.size
      : query.sort === 'modified'
        ? (a: { info: FileInfo }, b: { info: FileInfo }) => a.info.mtime.getTime() - b.info.mtime.getTime()
        : byName;
  keyed.sort((a, b) => {
    const dirs = Number(b.info.type === 'dir') - Number(a.info.type === 'dir');
    return dirs || sign * (byKey(a, b) || byName(a, b));
  });
  for (let i = 0; i < keyed.length; i++) entries[i] = keyed[i].info;
  return entries;
}

export function toEntry(info: FileInfo): ListEntry {
  return { name: info.name, type: info.type === 'dir' || info.type === 'link' ? info.type : 'file', size: info.size, modified: info.mtime.toISOString() };
}
