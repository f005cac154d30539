/**
 * Every verb the server knows, one row each: its handler, whether it needs a
 * login, whether it takes an argument, whether it opens a data connection,
 * and its help text. FEAT and HELP are generated from these rows.
 */
import { formatHashFeature } from './protocol/hashes.js';
import { formatMlstFeature } from './protocol/listing.js';
import * as access from './commands/access.js';
import * as connection from './commands/connection.js';
import * as files from './commands/files.js';
import * as hashes from './commands/hashes.js';
import * as info from './commands/info.js';
import * as listings from './commands/listings.js';
import * as navigation from './commands/navigation.js';
import * as parameters from './commands/parameters.js';
import * as security from './commands/security.js';
import * as site from './commands/site.js';
import * as transfers from './commands/transfers.js';
import type { Capabilities } from '../core/capabilities.js';
import type { Session } from './Session.js';

export type Handler = (session: Session, arg: string) => void | Promise<void>;

export interface CommandSpec {
  readonly verb: string;
  readonly handler: Handler;
  readonly needsLogin: boolean;
  readonly arg: 'required' | 'optional' | 'none';
  /** Uses the data connection prepared by PASV, EPSV, PORT or EPRT. */
  readonly opensData?: boolean;
  /** May run while a transfer is in progress instead of waiting for it (ABOR, STAT). */
  readonly duringTransfer?: boolean;
  /** What the storage must be able to do; without it the verb answers 502 and is left out of FEAT. */
  readonly needs?: keyof Capabilities;
  readonly help: string;
  /** The line this verb adds to FEAT (RFC 2389), if any; it may depend on session state. */
  readonly feature?: string | ((session: Session) => string | null);
}

export type CommandTable = ReadonlyMap<string, CommandSpec>;

type Row = Omit<CommandSpec, 'verb'>;

const open = { needsLogin: false } as const;
const loggedIn = { needsLogin: true } as const;

const rows: Record<string, Row> = {
  // Access control (RFC 959 4.1.1)
  USER: { ...open, handler: access.USER, arg: 'required', help: 'USER <name>: start a login' },
  PASS: { ...open, handler: access.PASS, arg: 'optional', help: 'PASS <password>: finish a login' },
  QUIT: { ...open, handler: access.QUIT, arg: 'none', help: 'QUIT: close the connection' },

  // TLS (RFC 4217); FEAT shows them only when TLS is configured
  AUTH: { ...open, handler: security.AUTH, arg: 'required', help: 'AUTH TLS: switch the control connection to TLS', feature: tlsFeature('AUTH TLS') },
  PBSZ: { ...open, handler: security.PBSZ, arg: 'required', help: 'PBSZ 0: protection buffer size (always 0 for TLS)', feature: tlsFeature('PBSZ') },
  PROT: { ...open, handler: security.PROT, arg: 'required', help: 'PROT P|C: TLS on data connections, or not', feature: tlsFeature('PROT') },
  CCC: { ...open, handler: security.CCC, arg: 'none', help: 'CCC: refused; the control connection stays TLS' },

  // Navigation
  PWD: { ...loggedIn, handler: navigation.PWD, arg: 'none', help: 'PWD: print the working directory' },
  XPWD: { ...loggedIn, handler: navigation.PWD, arg: 'none', help: 'XPWD: same as PWD' },
  // TVFS (RFC 3659 6): paths are Unix-like, "/"-separated, under a single root.
  CWD: { ...loggedIn, handler: navigation.CWD, arg: 'required', help: 'CWD <dir>: change the working directory', feature: 'TVFS' },
  XCWD: { ...loggedIn, handler: navigation.CWD, arg: 'required', help: 'XCWD <dir>: same as CWD' },
  CDUP: { ...loggedIn, handler: navigation.CDUP, arg: 'none', help: 'CDUP: go to the parent directory' },
  XCUP: { ...loggedIn, handler: navigation.CDUP, arg: 'none', help: 'XCUP: same as CDUP' },

  // Transfer parameters
  TYPE: { ...loggedIn, handler: parameters.TYPE, arg: 'required', help: 'TYPE A|I: ASCII or binary transfers' },
  MODE: { ...loggedIn, handler: parameters.MODE, arg: 'required', help: 'MODE S: stream mode (the only one)' },
  STRU: { ...loggedIn, handler: parameters.STRU, arg: 'required', help: 'STRU F: file structure (the only one)' },
  ALLO: { ...loggedIn, handler: parameters.ALLO, arg: 'required', help: 'ALLO <size>: accepted, nothing to reserve' },
  REST: { ...loggedIn, handler: parameters.REST, arg: 'required', help: 'REST <offset>: start the next RETR or STOR there', feature: 'REST STREAM' },
  PASV: { ...loggedIn, handler: connection.PASV, arg: 'none', help: 'PASV: passive data connection (IPv4)' },
  EPSV: { ...loggedIn, handler: connection.EPSV, arg: 'optional', help: 'EPSV [1|2|ALL]: extended passive mode (RFC 2428)', feature: 'EPSV' },
  PORT: { ...loggedIn, handler: connection.PORT, arg: 'required', help: 'PORT h1,h2,h3,h4,p1,p2: active data connection' },
  EPRT: { ...loggedIn, handler: connection.EPRT, arg: 'required', help: 'EPRT |proto|addr|port|: extended active mode (RFC 2428)', feature: 'EPRT' },

  // Transfers
  RETR: { ...loggedIn, handler: transfers.RETR, arg: 'required', opensData: true, help: 'RETR <file>: download a file' },
  STOR: { ...loggedIn, handler: transfers.STOR, arg: 'required', opensData: true, help: 'STOR <file>: upload a file' },
  APPE: { ...loggedIn, handler: transfers.APPE, arg: 'required', opensData: true, needs: 'writeInPlace', help: 'APPE <file>: append to a file' },
  STOU: { ...loggedIn, handler: transfers.STOU, arg: 'optional', opensData: true, help: 'STOU [name]: upload under a name not yet taken' },
  ABOR: { ...loggedIn, handler: transfers.ABOR, arg: 'none', duringTransfer: true, help: 'ABOR: abort the running transfer' },

  // Listings
  LIST: { ...loggedIn, handler: listings.LIST, arg: 'optional', opensData: true, help: 'LIST [path]: long listing' },
  NLST: { ...loggedIn, handler: listings.NLST, arg: 'optional', opensData: true, help: 'NLST [path]: names only' },
  MLSD: { ...loggedIn, handler: listings.MLSD, arg: 'optional', opensData: true, help: 'MLSD [dir]: machine listing (RFC 3659)' },
  MLST: {
    ...loggedIn,
    handler: listings.MLST,
    arg: 'optional',
    help: 'MLST [path]: facts of one entry (RFC 3659)',
    feature: (session) => formatMlstFeature(session.mlstFacts),
  },

  // File actions
  DELE: { ...loggedIn, handler: files.DELE, arg: 'required', help: 'DELE <file>: delete a file' },
  MKD: { ...loggedIn, handler: files.MKD, arg: 'required', help: 'MKD <dir>: make a directory' },
  XMKD: { ...loggedIn, handler: files.MKD, arg: 'required', help: 'XMKD <dir>: same as MKD' },
  RMD: { ...loggedIn, handler: files.RMD, arg: 'required', help: 'RMD <dir>: remove an empty directory' },
  XRMD: { ...loggedIn, handler: files.RMD, arg: 'required', help: 'XRMD <dir>: same as RMD' },
  RNFR: { ...loggedIn, handler: files.RNFR, arg: 'required', help: 'RNFR <path>: name to rename from' },
  RNTO: { ...loggedIn, handler: files.RNTO, arg: 'required', help: 'RNTO <path>: name to rename to' },
  SIZE: { ...loggedIn, handler: files.SIZE, arg: 'required', help: 'SIZE <file>: size in bytes (RFC 3659)', feature: 'SIZE' },
  MDTM: { ...loggedIn, handler: files.MDTM, arg: 'required', help: 'MDTM <file>: modification time (RFC 3659)', feature: 'MDTM' },
  MFMT: {
    ...loggedIn,
    handler: files.MFMT,
    arg: 'required',
    needs: 'setModifiedTime',
    help: 'MFMT <YYYYMMDDHHMMSS> <file>: set the modification time',
    feature: 'MFMT',
  },
  SITE: { ...loggedIn, handler: site.SITE, arg: 'required', help: 'SITE <command>: SITE HELP lists them' },

  // Hashes
  HASH: {
    ...loggedIn,
    handler: hashes.HASH,
    arg: 'required',
    help: 'HASH <file>: hash with the algorithm OPTS HASH chose (draft-bryan-ftpext-hash)',
    feature: (session) => formatHashFeature(session.hashAlgorithm),
  },
  // RANG here limits only the next HASH, so FEAT does not claim "RANG STREAM" (ranged RETR).
  RANG: { ...loggedIn, handler: hashes.RANG, arg: 'required', help: 'RANG <start> <end>: byte range of the next HASH' },
  XCRC: { ...loggedIn, handler: hashes.XCRC, arg: 'required', help: 'XCRC <file> [start [end]]: CRC-32 of a file' },
  XMD5: { ...loggedIn, handler: hashes.XMD5, arg: 'required', help: 'XMD5 <file> [start [end]]: MD5 of a file' },
  XSHA1: { ...loggedIn, handler: hashes.XSHA1, arg: 'required', help: 'XSHA1 <file> [start [end]]: SHA-1 of a file' },
  XSHA256: { ...loggedIn, handler: hashes.XSHA256, arg: 'required', help: 'XSHA256 <file> [start [end]]: SHA-256 of a file' },
  XSHA512: { ...loggedIn, handler: hashes.XSHA512, arg: 'required', help: 'XSHA512 <file> [start [end]]: SHA-512 of a file' },

  // Information
  SYST: { ...open, handler: info.SYST, arg: 'none', help: 'SYST: system type' },
  FEAT: { ...open, handler: info.FEAT, arg: 'none', help: 'FEAT: list extensions (RFC 2389)' },
  OPTS: { ...open, handler: info.OPTS, arg: 'required', help: 'OPTS UTF8 ON | OPTS MLST facts', feature: 'UTF8' },
  HELP: { ...open, handler: info.HELP, arg: 'optional', help: 'HELP [verb]: this help' },
  NOOP: { ...open, handler: info.NOOP, arg: 'none', help: 'NOOP: do nothing' },
  STAT: { ...loggedIn, handler: info.STAT, arg: 'optional', duringTransfer: true, help: 'STAT [path]: session status, or a listing on the control connection' },
};

function tlsFeature(line: string): (session: Session) => string | null {
  return (session) => (session.config.tls ? line : null);
}

export const commandTable: CommandTable = new Map(Object.entries(rows).map(([verb, row]) => [verb, { verb, ...row }]));
