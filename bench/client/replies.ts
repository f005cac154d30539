/**
 * FTP replies out of the control connection's text, as a pure function (the
 * way basic-ftp parses): complete replies, and the rest to keep for later.
 */

export interface Reply {
  readonly code: number;
  /** Every line, CRLF removed; a multi-line reply has several. */
  readonly lines: readonly string[];
}

/**
 * RFC 959 4.2: a multi-line reply starts with "123-" and ends at the first
 * line that starts with the same code and a space; lines between are free text.
 */
export function takeReplies(text: string): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let consumed = 0;
  let open: { code: number; lines: string[] } | null = null;
  for (let start = 0, end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    const line = text.slice(start, text[end - 1] === '\r' ? end - 1 : end);
    const code = /^\d{3}/.test(line) ? Number(line.slice(0, 3)) : null;
    if (open) {
      open.lines.push(line);
      if (code === open.code && line[3] === ' ') {
        replies.push(open);
        open = null;
      }
    } else if (code !== null && line[3] === '-') {
      open = { code, lines: [line] };
    } else if (code !== null) {
      replies.push({ code, lines: [line] });
    }
    // An unfinished multi-line reply stays in the rest, whole, to be parsed again with more text.
    if (!open) consumed = end + 1;
  }
  return { replies, rest: text.slice(consumed) };
}

/** The data port of a 229 (EPSV, RFC 2428: "(|||port|)") or 227 (PASV: "(h1,h2,h3,h4,p1,p2)") reply. */
export function passivePort(reply: Reply): number {
  const text = reply.lines.join('\n');
  const extended = /\(([^\d\s])\1\1(\d+)\1\)/.exec(text);
  if (reply.code === 229 && extended) return Number(extended[2]);
  const classic = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text);
  if (reply.code === 227 && classic) return Number(classic[5]) * 256 + Number(classic[6]);
  throw new Error(`no data port in "${text}"`);
}
