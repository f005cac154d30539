/**
 * Resolution of a client's path against the session's virtual working
 * directory. The result is always absolute, normalised and inside the
 * virtual root "/": ".." at the root stays at the root, whatever the input.
 * Storage backends only ever see paths produced here. No I/O.
 */
import { badArgument } from './errors.js';

/** Longer paths are refused: no file system takes them, and they cost memory to carry. */
export const MAX_PATH_LENGTH = 4096;

export function resolveVirtualPath(cwd: string, input: string): string {
  if (input.includes('\0')) throw badArgument('Path contains a NUL byte');
  if (input.length > MAX_PATH_LENGTH) throw badArgument('Path too long');
  // A backslash is a separator for Windows clients; treating it as a file name
  // character would let "..\\..\\etc" slip past a server on Windows (ftp-srv CVE-2020-26299),
  // so it is normalised like "/" everywhere.
  const path = input.replace(/\\/g, '/');
  const segments = path.startsWith('/') ? [] : splitPath(cwd);
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') segments.pop();
    else segments.push(part);
  }
  const resolved = '/' + segments.join('/');
  if (resolved.length > MAX_PATH_LENGTH) throw badArgument('Path too long');
  return resolved;
}

/** The segments of an already resolved virtual path; "/" has none. */
export function splitPath(virtualPath: string): string[] {
  return virtualPath.split('/').filter((p) => p !== '');
}

export function parentOf(virtualPath: string): string {
  const parts = splitPath(virtualPath);
  parts.pop();
  return '/' + parts.join('/');
}

export function baseName(virtualPath: string): string {
  const parts = splitPath(virtualPath);
  return parts[parts.length - 1] ?? '';
}

export function joinVirtual(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
