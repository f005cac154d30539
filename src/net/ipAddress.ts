/**
 * IP addresses as bytes and as text, strictly: what the PROXY protocol and
 * CIDR lists need (the bytes of a v2 header, exact text of a v1 line, prefix
 * matching). No I/O.
 */

const IPV4_PART = /^(0|[1-9]\d{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** "192.0.2.1" -> 4 bytes; null unless it is exactly four decimal numbers 0-255 without leading zeroes. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts, Number);
}

/**
 * "2001:db8::1" -> 16 bytes; null unless it is colon-separated groups of 1-4
 * hex digits with at most one "::". A last part in dotted IPv4 form
 * ("::ffff:192.0.2.1") is accepted, as inet_ntop(3) writes mapped addresses so.
 * Zone indexes ("%eth0") are not addresses and are refused.
 */
export function parseIPv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string): number[] | null => {
    if (half === '') return [];
    const parts = half.split(':');
    const groups: number[] = [];
    for (const [i, part] of parts.entries()) {
      if (IPV6_GROUP.test(part)) groups.push(parseInt(part, 16));
      else if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIPv4(part);
        if (!v4) return null;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else return null;
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return null;
  // A dotted part may only end the address, so it can only be in the last half.
  if (halves.length === 2 && halves[0].includes('.')) return null;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

/** RFC 5952 text: lower case, no leading zeroes, the longest run of two or more zero groups as "::", mapped IPv4 dotted. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // RFC 5952 5: ::ffff:0:0/96 keeps its IPv4 part dotted.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${formatIPv4(bytes.subarray(12))}`;
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (best.start < 0) return hex(0, 8);
  return `${hex(0, best.start)}::${hex(best.start + best.length, 8)}`;
}

/** Either family's text -> its bytes (4 or 16), or null. */
export function parseIP(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}
