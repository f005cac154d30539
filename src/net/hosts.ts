/** Facts about host addresses that decide policy (loopback or not) and how URLs print them. No I/O. */
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';

/** Node reports IPv4 peers of a dual-stack socket as "::ffff:1.2.3.4". */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export function isLoopbackHost(host: string): boolean {
  const h = unmapIPv4(host.toLowerCase());
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** "ftp://[::1]:21" needs the brackets; IPv4 and names do not. */
export function formatHostForUrl(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/** Compares two IP addresses by value, so "::1" and "0:0:0:0:0:0:0:1" are the same host. */
export function sameAddress(a: string, b: string): boolean {
  const x = unmapIPv4(a);
  const y = unmapIPv4(b);
  if (x === y) return true;
  if (!isIP(x) || !isIP(y)) return false;
  const family = isIPv6(x) ? 'ipv6' : 'ipv4';
  if (family !== (isIPv6(y) ? 'ipv6' : 'ipv4')) return false;
  const list = new BlockList();
  list.addAddress(x, family);
  return list.check(y, family);
}
