/** Splitting of one control-connection line into verb and argument. No I/O. */

export interface CommandLine {
  /** The verb in upper case, as the command table spells it. */
  readonly verb: string;
  /** Everything after the first space, untouched: file names may have spaces at either end. */
  readonly arg: string;
}

export function parseCommand(raw: string): CommandLine {
  // Bytes before the verb are leftovers of Telnet sequences whose urgent IAC was lost
  // (a lone DM, 0xF2, decodes as U+FFFD): not part of the command.
  const line = raw.replace(/^[^\x21-\x7e]+/, '');
  const space = line.indexOf(' ');
  if (space === -1) return { verb: line.toUpperCase(), arg: '' };
  return { verb: line.slice(0, space).toUpperCase(), arg: line.slice(space + 1) };
}

/** A verb is 3 or 4 letters (RFC 959 5.3.1); anything else is a syntax error, not an unknown command. */
export function isWellFormedVerb(verb: string): boolean {
  return /^[A-Z]{3,4}$/.test(verb);
}

/**
 * LIST and NLST arguments may start with ls-style options ("-la", ncftpls's
 * "-1"), which many clients send whatever the server says. Like vsftpd, a word
 * of only a dash and letters or digits is an option; "-rf.txt" or "./-1" is a path.
 * Returns the options and the path.
 */
export function splitListArgs(arg: string): { options: string; path: string } {
  let options = '';
  let rest = arg;
  for (;;) {
    const m = /^(-[A-Za-z0-9]+)(?:\s+|$)/.exec(rest);
    if (!m) break;
    options += m[1].slice(1);
    rest = rest.slice(m[0].length);
  }
  return { options, path: rest };
}
