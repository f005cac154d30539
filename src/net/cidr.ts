/**
 * Lists of address blocks in CIDR notation ("10.0.0.0/8,2001:db8::/32"), and
 * whether an address falls in one: which peers are trusted to send PROXY
 * headers. No I/O.
 */
import { formatIPv4, formatIPv6, parseIP } from './ipAddress.js';

interface Block {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export class CidrList {
  private constructor(
    private readonly blocks: readonly Block[],
    /** The list as given, for logs and messages. */
    readonly text: string,
  ) {}

  /** Parses "CIDR[,CIDR...]"; a bare address is a block of one. Throws an Error naming the bad entry. */
  static parse(text: string): CidrList {
    const entries = text.split(',').map((e) => e.trim());
    if (entries.some((e) => e === '')) throw new Error(`"${text}" has an empty entry; give CIDR[,CIDR...], for example 10.0.0.0/8,2001:db8::/32`);
    return new CidrList(entries.map(parseBlock), entries.join(','));
  }

  /** Whether `address` (either family; "::ffff:a.b.c.d" counts as the IPv4 address) is in one of the blocks. */
  contains(address: string): boolean {
    const bytes = comparable(address);
    return bytes !== null && this.blocks.some((b) => b.bytes.length === bytes.length && samePrefix(b.bytes, bytes, b.prefix));
  }
}

function parseBlock(entry: string): Block {
  const slash = entry.indexOf('/');
  const addressText = slash < 0 ? entry : entry.slice(0, slash);
  const bytes = parseIP(addressText);
  if (!bytes) throw new Error(`"${entry}" is not an IPv4 or IPv6 address or CIDR block`);
  const bits = bytes.length * 8;
  const prefixText = slash < 0 ? String(bits) : entry.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) throw new Error(`"${entry}": the prefix length must be 0 to ${bits}`);
  const prefix = Number(prefixText);
  const network = masked(bytes, prefix);
  // 10.1.2.3/8 is more likely a typo than a way to write 10.0.0.0/8; say which block was meant.
  if (!network.every((b, i) => b === bytes[i])) {
    const written = bytes.length === 4 ? formatIPv4(network) : formatIPv6(network);
    throw new Error(`"${entry}" has bits set past its /${prefix} prefix; did you mean ${written}/${prefix}?`);
  }
  return { bytes, prefix };
}

/** The address's bytes, with an IPv4-mapped IPv6 address as its 4 IPv4 bytes. */
function comparable(address: string): Uint8Array | null {
  const bytes = parseIP(address);
  if (bytes?.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.subarray(12);
  return bytes;
}

function masked(bytes: Uint8Array, prefix: number): Uint8Array {
  return bytes.map((b, i) => {
    const bitsHere = Math.min(8, Math.max(0, prefix - i * 8));
    return b & ((0xff << (8 - bitsHere)) & 0xff);
  });
}

function samePrefix(network: Uint8Array, address: Uint8Array, prefix: number): boolean {
  const a = masked(address, prefix);
  return a.every((b, i) => b === network[i]);
}
