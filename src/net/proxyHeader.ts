/**
 * The PROXY protocol header a load balancer puts before a connection's first
 * byte to say whose connection it relays (HAProxy's doc/proxy-protocol.txt):
 * version 1, one text line, and version 2, a binary block. Pure: it is fed
 * the bytes received so far and says "need more", the header and where it
 * ended, or why the bytes are not one. Both formats are accepted, as the
 * spec recommends for version 2 receivers.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ipAddress.js';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export type ProxyHeader =
  /** LOCAL (v2), UNKNOWN (v1), or an address family that is not TCP: the connection's own endpoints stand. */
  | { readonly version: 1 | 2; readonly command: 'local' }
  | {
      readonly version: 1 | 2;
      readonly command: 'proxy';
      readonly family: 'IPv4' | 'IPv6';
      readonly source: Endpoint;
      readonly destination: Endpoint;
    };

export type ProxyParse =
  | { readonly kind: 'more' }
  /** `length`: the header's bytes; what follows belongs to the relayed connection. */
  | { readonly kind: 'header'; readonly header: ProxyHeader; readonly length: number }
  | { readonly kind: 'error'; readonly reason: string };

/** Spec 2.1: the longest v1 line, "PROXY UNKNOWN" with two full IPv6 addresses and ports, CRLF included. */
export const V1_MAX_BYTES = 107;
/**
 * Most address and TLV bytes accepted after the 16 fixed bytes of a v2
 * header. The spec allows 65535; HAProxy sends 12 or 36 plus a few TLVs, and
 * the bound keeps what a connection may make us hold small.
 */
export const V2_MAX_BODY_BYTES = 4096;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** Spec 2.2: 12 bytes no other protocol starts with, then the version and command byte. */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED_BYTES = 16;
const CR = 0x0d;
const LF = 0x0a;
const MORE: ProxyParse = { kind: 'more' };
const LOCAL_V1: ProxyHeader = { version: 1, command: 'local' };
const LOCAL_V2: ProxyHeader = { version: 2, command: 'local' };

/** Parses the header at the start of `received` (everything the connection sent so far). */
export function parseProxyHeader(received: Uint8Array): ProxyParse {
  if (received.length === 0) return MORE;
  if (received[0] === V1_PREFIX[0]) return parseV1(received);
  if (received[0] === V2_SIGNATURE[0]) return parseV2(received);
  return error('the connection does not start with a PROXY header');
}

/**
 * Whether a connection that starts with `received` starts with a PROXY
 * header's signature ("PROXY " or the v2 block); null while too few bytes
 * have come to tell.
 */
export function startsWithProxySignature(received: Uint8Array): boolean | null {
  for (const signature of [V1_PREFIX, V2_SIGNATURE]) {
    const n = Math.min(received.length, signature.length);
    if (!signature.subarray(0, n).equals(received.subarray(0, n))) continue;
    return n === signature.length ? true : null;
  }
  return false;
}

/**
 * Feeds chunks into parseProxyHeader until it decides, and hands back the
 * bytes after the header. It holds at most the longest header and one chunk:
 * parseProxyHeader decides once that many bytes are in.
 */
export class ProxyHeaderReader {
  private received: Buffer | null = Buffer.alloc(0);

  push(chunk: Uint8Array): { kind: 'more' } | { kind: 'header'; header: ProxyHeader; rest: Buffer } | { kind: 'error'; reason: string } {
    if (this.received === null) throw new Error('ProxyHeaderReader has already decided');
    const received = Buffer.concat([this.received, chunk]);
    const result = parseProxyHeader(received);
    this.received = result.kind === 'more' ? received : null;
    if (result.kind !== 'header') return result;
    return { kind: 'header', header: result.header, rest: received.subarray(result.length) };
  }
}

/**
 * Holds back a direct connection's first bytes until they show whether it
 * starts with a PROXY signature (at most 12 bytes), then lets everything pass.
 */
export class ProxySignatureScreen {
  private held: Buffer | null = Buffer.alloc(0);

  /** `pass`: the bytes to process now (held ones included); `proxy`: the connection starts with a PROXY header. */
  push(chunk: Buffer): { kind: 'hold' } | { kind: 'pass'; bytes: Buffer } | { kind: 'proxy' } {
    if (this.held === null) return { kind: 'pass', bytes: chunk };
    const received = Buffer.concat([this.held, chunk]);
    const verdict = startsWithProxySignature(received);
    if (verdict === null) {
      this.held = received;
      return { kind: 'hold' };
    }
    this.held = null;
    return verdict ? { kind: 'proxy' } : { kind: 'pass', bytes: received };
  }
}

function error(reason: string): ProxyParse {
  return { kind: 'error', reason };
}

/** Spec 2.1: "PROXY TCP4|TCP6 src dst sport dport\r\n" with single spaces, or "PROXY UNKNOWN ...\r\n". */
function parseV1(received: Uint8Array): ProxyParse {
  const n = Math.min(received.length, V1_PREFIX.length);
  if (!V1_PREFIX.subarray(0, n).equals(received.subarray(0, n))) return error('the connection does not start with a PROXY header');
  const window = received.subarray(0, V1_MAX_BYTES);
  for (let i = 0; i < window.length; i++) {
    const byte = window[i];
    if (byte === LF) return error('the PROXY line ends with LF alone; CRLF is required');
    if (byte === CR) {
      if (i + 1 === window.length) break;
      if (window[i + 1] !== LF) return error('the PROXY line has a CR without LF');
      const header = parseV1Line(Buffer.from(window.subarray(0, i)).toString('latin1'));
      return typeof header === 'string' ? error(header) : { kind: 'header', header, length: i + 2 };
    }
    if (byte < 0x20 || byte > 0x7e) return error('the PROXY line has a byte that is not printable ASCII');
  }
  return received.length >= V1_MAX_BYTES ? error(`no CRLF in the first ${V1_MAX_BYTES} bytes of the PROXY line`) : MORE;
}

/** The header a v1 line (CRLF removed) describes, or why it is malformed. */
function parseV1Line(line: string): ProxyHeader | string {
  const fields = line.split(' ');
  const protocol = fields[1];
  // Spec 2.1: after UNKNOWN the receiver ignores everything up to the CRLF.
  if (protocol === 'UNKNOWN') return LOCAL_V1;
  if (protocol !== 'TCP4' && protocol !== 'TCP6') return `unknown protocol "${protocol}" in the PROXY line (TCP4, TCP6 or UNKNOWN)`;
  if (fields.length !== 6) return `the PROXY ${protocol} line needs exactly 4 fields after ${protocol}, separated by single spaces`;
  const [, , sourceText, destinationText, sourcePortText, destinationPortText] = fields as [string, string, string, string, string, string];
  const parse = protocol === 'TCP4' ? parseIPv4 : parseIPv6;
  const format = protocol === 'TCP4' ? formatIPv4 : formatIPv6;
  const source = parse(sourceText);
  const destination = parse(destinationText);
  if (!source) return `"${sourceText}" is not an ${protocol === 'TCP4' ? 'IPv4' : 'IPv6'} source address`;
  if (!destination) return `"${destinationText}" is not an ${protocol === 'TCP4' ? 'IPv4' : 'IPv6'} destination address`;
  const sourcePort = parsePort(sourcePortText);
  const destinationPort = parsePort(destinationPortText);
  if (sourcePort === null) return `"${sourcePortText}" is not a source port`;
  if (destinationPort === null) return `"${destinationPortText}" is not a destination port`;
  return {
    version: 1,
    command: 'proxy',
    family: protocol === 'TCP4' ? 'IPv4' : 'IPv6',
    source: { address: format(source), port: sourcePort },
    destination: { address: format(destination), port: destinationPort },
  };
}

/** Spec 2.1: a decimal 0-65535 without leading zeroes. */
function parsePort(text: string): number | null {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** Spec 2.2: signature, version and command, family and protocol, length, then addresses and TLVs. */
function parseV2(received: Uint8Array): ProxyParse {
  const n = Math.min(received.length, V2_SIGNATURE.length);
  if (!V2_SIGNATURE.subarray(0, n).equals(received.subarray(0, n))) return error('the connection does not start with a PROXY header');
  if (received.length < V2_FIXED_BYTES) return MORE;
  const version = received[12] >> 4;
  const command = received[12] & 0x0f;
  const family = received[13] >> 4;
  const transport = received[13] & 0x0f;
  const bodyLength = (received[14] << 8) | received[15];
  if (version !== 2) return error(`PROXY header version ${version}; only 2 has a binary form`);
  if (command > 1) return error(`PROXY v2 command ${command} is neither LOCAL (0) nor PROXY (1)`);
  if (family > 3) return error(`PROXY v2 address family ${family} is not defined`);
  if (transport > 2) return error(`PROXY v2 transport protocol ${transport} is not defined`);
  if (bodyLength > V2_MAX_BODY_BYTES)
    return error(`PROXY v2 header of ${V2_FIXED_BYTES + bodyLength} bytes is past the limit of ${V2_FIXED_BYTES + V2_MAX_BODY_BYTES}`);
  const length = V2_FIXED_BYTES + bodyLength;
  if (received.length < length) return MORE;
  // LOCAL: the proxy's own connection (a health check); its address block, if any, is ignored.
  if (command === 0) return { kind: 'header', header: LOCAL_V2, length };
  const body = received.subarray(V2_FIXED_BYTES, length);
  const stream = transport === 1;
  if (stream && family === 1) return v2Addresses(body, 4, length);
  if (stream && family === 2) return v2Addresses(body, 16, length);
  // Spec 2.2: unspecified, UDP or UNIX: a receiver that does not support it falls back to the real endpoints.
  return { kind: 'header', header: LOCAL_V2, length };
}

/** Source and destination addresses of `size` bytes each, then the two ports; TLVs after them are skipped. */
function v2Addresses(body: Uint8Array, size: 4 | 16, length: number): ProxyParse {
  const needed = 2 * size + 4;
  const family = size === 4 ? 'IPv4' : 'IPv6';
  if (body.length < needed) return error(`PROXY v2 ${family} address block of ${body.length} bytes; it takes ${needed}`);
  const format = size === 4 ? formatIPv4 : formatIPv6;
  const port = (at: number) => (body[at] << 8) | body[at + 1];
  return {
    kind: 'header',
    length,
    header: {
      version: 2,
      command: 'proxy',
      family,
      source: { address: format(body.subarray(0, size)), port: port(2 * size) },
      destination: { address: format(body.subarray(size, 2 * size)), port: port(2 * size + 2) },
    },
  };
}
