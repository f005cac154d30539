/**
 * FTP reply codes by name (RFC 959 4.2, RFC 2228, RFC 2428, RFC 3659) and the
 * formatting of single- and multi-line replies. No I/O.
 */
export const Reply = {
  RestartMarker: 110,
  DataAlreadyOpen: 125,
  FileStatusOk: 150,
  Ok: 200,
  Superfluous: 202,
  SystemStatus: 211,
  DirectoryStatus: 212,
  FileStatus: 213,
  Help: 214,
  SystemType: 215,
  ServiceReady: 220,
  Closing: 221,
  DataOpenNoTransfer: 225,
  TransferComplete: 226,
  EnteringPassive: 227,
  EnteringExtendedPassive: 229,
  LoggedIn: 230,
  SecurityExchangeOk: 234,
  FileActionOk: 250,
  PathCreated: 257,
  NeedPassword: 331,
  PendingFurtherInfo: 350,
  ServiceUnavailable: 421,
  CantOpenDataConnection: 425,
  TransferAborted: 426,
  FileBusy: 450,
  LocalError: 451,
  InsufficientStorage: 452,
  SyntaxError: 500,
  SyntaxErrorInArguments: 501,
  NotImplemented: 502,
  BadSequence: 503,
  NotImplementedForParameter: 504,
  NetworkProtocolNotSupported: 522,
  DataProtectionRefused: 521,
  NotLoggedIn: 530,
  PolicyRefused: 534,
  FileUnavailable: 550,
  ExceededStorage: 552,
  FileNameNotAllowed: 553,
  InvalidRestParameter: 554,
} as const;

export type ReplyCode = (typeof Reply)[keyof typeof Reply];

/**
 * Text that goes into a reply must not carry CR or LF: a file name such as
 * "x\r\n226 ok" would otherwise forge a reply line for the client.
 */
export function sanitizeReplyText(text: string): string {
  return text.replace(/[\r\n]/g, '?');
}

/**
 * Formats a reply. Several lines make a multi-line reply (RFC 959 4.2): the
 * first line is "code-text", the last "code text", and every line between is
 * indented by a space so that none can be mistaken for the final line.
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  const lines = typeof text === 'string' ? [text] : text;
  if (lines.length <= 1) return `${code} ${sanitizeReplyText(lines[0] ?? '')}\r\n`;
  let out = `${code}-${sanitizeReplyText(lines[0])}\r\n`;
  for (let i = 1; i < lines.length - 1; i++) out += ` ${sanitizeReplyText(lines[i])}\r\n`;
  return out + `${code} ${sanitizeReplyText(lines[lines.length - 1])}\r\n`;
}

/** RFC 959 appendix II: a quote inside a quoted path name is doubled. */
export function quotePath(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}
