/**
 * ~/.netrc, as curl, lftp and ftp(1) read it: "machine HOST login USER
 * password PASS" entries, a "default" entry for any other host, "account"
 * ignored, "macdef" bodies skipped to the next empty line, "#" comments,
 * and curl's "quoted values" with backslash escapes. Pure.
 */
export interface NetrcEntry {
  /** null for the "default" entry. */
  readonly machine: string | null;
  readonly login: string | null;
  readonly password: string | null;
}

export function parseNetrc(text: string): NetrcEntry[] {
  const entries: { machine: string | null; login: string | null; password: string | null }[] = [];
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const current = entries[entries.length - 1];
    if (token.value === 'machine') entries.push({ machine: tokens[++i]?.value ?? '', login: null, password: null });
    else if (token.value === 'default') entries.push({ machine: null, login: null, password: null });
    else if (token.value === 'login' && current) current.login = tokens[++i]?.value ?? null;
    else if (token.value === 'password' && current) current.password = tokens[++i]?.value ?? null;
    else if (token.value === 'account') i++;
    else if (token.value === 'macdef') {
      // A macro's body runs to the first empty line and is not ours to read.
      const end = text.indexOf('\n\n', token.end);
      while (i + 1 < tokens.length && (end === -1 || tokens[i + 1].start < end)) i++;
    }
  }
  return entries;
}

/**
 * The entry for `host`: the first "machine" with that name (case does not
 * matter), else "default". With `user` given, only an entry for that login
 * counts, as curl reads it.
 */
export function findNetrcEntry(entries: readonly NetrcEntry[], host: string, user: string | null): NetrcEntry | null {
  const fits = (e: NetrcEntry) => user === null || e.login === user;
  return (
    entries.find((e) => e.machine !== null && e.machine.toLowerCase() === host.toLowerCase() && fits(e)) ??
    entries.find((e) => e.machine === null && fits(e)) ??
    null
  );
}

interface Token {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) i++;
    else if (ch === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (ch === '"') {
      const start = i;
      let value = '';
      for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' && i + 1 < text.length ? text[++i] : text[i];
      tokens.push({ value, start, end: ++i });
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i])) i++;
      tokens.push({ value: text.slice(start, i), start, end: i });
    }
  }
  return tokens;
}
