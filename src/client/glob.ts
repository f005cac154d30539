/**
 * Shell-style wildcards for `download *.log`, `upload *.txt` and `rm *.tmp`,
 * matched here against a directory's listing, since FTP has no glob command
 * that every server understands. Only the last part of a path may hold
 * wildcards: "logs/2024-*.gz". Pure.
 */
import * as path from 'node:path';

const WILDCARD = /[*?[]/;

export function hasGlob(word: string): boolean {
  return WILDCARD.test(path.posix.basename(word));
}

/** "*" any run of characters, "?" one, "[abc]" / "[a-z]" / "[!abc]" a set; like a shell, a leading dot must be matched literally. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[' && glob.indexOf(']', i + 2) > i) {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      const set = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
      source += `[${negated ? '^' : ''}${set}]`;
      i = end;
    } else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const hidden = glob.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${source}$`, 's');
}

/** Splits "dir/part*.log" into the directory to list ("" for the current one) and the pattern for names in it. */
export function splitGlob(pattern: string): { dir: string; matcher: RegExp } {
  const dir = path.posix.dirname(pattern);
  return { dir: dir === '.' ? '' : dir, matcher: globToRegExp(path.posix.basename(pattern)) };
}
