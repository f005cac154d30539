/**
 * Range requests (RFC 9110 14): one byte range of a file, or the whole of it.
 * Several ranges in one request are answered with the whole file (which the
 * RFC allows), so there is no multipart/byteranges to build. Pure.
 */

export type RangeAnswer =
  { readonly kind: 'whole' } | { readonly kind: 'part'; readonly start: number; readonly end: number } | { readonly kind: 'unsatisfiable' };

/** `header` is the Range header; `end` is inclusive. */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  // A form we do not serve (other units, several ranges) is ignored: the whole file is the answer.
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}

/** A strong validator from what every backend knows: the size and the modification time. */
export function entityTag(size: number, mtime: Date): string {
  return `"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
}

/** If-Range: the range applies only if the file is still the one the client has part of. */
export function rangeStillValid(ifRange: string | undefined, etag: string, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  return value === lastModified;
}
