import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { describe, it } from 'node:test';
import { CidrList } from '../../src/net/cidr.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../src/net/ipAddress.js';

describe('IP addresses as bytes and text', () => {
  it('reads IPv4 strictly: four decimal numbers 0-255, no leading zeroes', () => {
    assert.deepEqual(parseIPv4('192.0.2.255'), Uint8Array.from([192, 0, 2, 255]));
    assert.deepEqual(parseIPv4('0.0.0.0'), Uint8Array.from([0, 0, 0, 0]));
    for (const bad of ['256.0.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '']) assert.equal(parseIPv4(bad), null, bad);
  });

  it('writes IPv6 as RFC 5952 says: lower case, no leading zeroes, the longest zero run of two or more as "::"', () => {
    const text = (t: string) => formatIPv6(parseIPv6(t)!);
    assert.equal(text('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(text('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(text('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(text('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
    assert.equal(text('::'), '::');
    assert.equal(text('::1'), '::1');
    assert.equal(text('1::'), '1::');
    assert.equal(text('::ffff:c000:0207'), '::ffff:192.0.2.7');
  });

  it("agrees with Node's own formatting (inet_ntop) on random addresses with zero runs", () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const groups = Array.from({ length: 8 }, () => (random() < 0.45 ? 0 : Math.floor(random() * 0x10000)));
      // inet_ntop writes ::/96 with a dotted tail ("::1.2.3.4"), which RFC 5952 does not; those are left out.
      if (groups.slice(0, 6).every((g) => g === 0)) continue;
      const long = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
      const bytes = parseIPv6(long)!;
      assert.equal(formatIPv6(bytes), new SocketAddress({ address: long, family: 'ipv6' }).address, long);
      assert.deepEqual(parseIPv6(formatIPv6(bytes)), bytes, long);
    }
  });
});

describe('CidrList', () => {
  const list = CidrList.parse('10.0.0.0/8, 192.0.2.7,2001:db8::/32,127.0.0.1/32');

  it('matches IPv4 blocks, single addresses, IPv6 blocks, and IPv4-mapped IPv6 peers', () => {
    for (const inside of ['10.0.0.0', '10.255.255.255', '192.0.2.7', '127.0.0.1', '2001:db8::1', '2001:DB8:ffff::', '::ffff:10.1.2.3', '::ffff:127.0.0.1'])
      assert.ok(list.contains(inside), inside);
    for (const outside of ['11.0.0.0', '9.255.255.255', '192.0.2.8', '127.0.0.5', '2001:db9::', '::1', '::ffff:127.0.0.2', 'localhost', ''])
      assert.ok(!list.contains(outside), outside);
  });

  it('handles prefixes that cut inside a byte, and /0 for everything of one family', () => {
    const cut = CidrList.parse('172.16.0.0/12,2001:db8:8000::/33');
    assert.ok(cut.contains('172.31.255.255'));
    assert.ok(!cut.contains('172.32.0.0'));
    assert.ok(cut.contains('2001:db8:ffff::1'));
    assert.ok(!cut.contains('2001:db8:7fff::1'));
    const all4 = CidrList.parse('0.0.0.0/0');
    assert.ok(all4.contains('203.0.113.9'));
    assert.ok(!all4.contains('2001:db8::1'));
    assert.ok(CidrList.parse('::/0').contains('2001:db8::1'));
  });

  it('refuses entries that are not blocks, with the entry in the message', () => {
    assert.throws(() => CidrList.parse('10.0.0.0/33'), /"10\.0\.0\.0\/33": the prefix length must be 0 to 32/);
    assert.throws(() => CidrList.parse('::/129'), /the prefix length must be 0 to 128/);
    assert.throws(() => CidrList.parse('10.0.0.0/08'), /prefix length/);
    assert.throws(() => CidrList.parse('10.0.0.0/'), /prefix length/);
    assert.throws(() => CidrList.parse('10.0.0/8'), /"10\.0\.0\/8" is not an IPv4 or IPv6 address/);
    assert.throws(() => CidrList.parse('lb.example.com'), /not an IPv4 or IPv6 address/);
    assert.throws(() => CidrList.parse('10.0.0.0/8,,'), /empty entry/);
    assert.throws(() => CidrList.parse(''), /empty entry/);
  });

  it('refuses a block with bits set past its prefix, and says which block was meant', () => {
    assert.throws(() => CidrList.parse('10.1.2.3/8'), /"10\.1\.2\.3\/8" has bits set past its \/8 prefix; did you mean 10\.0\.0\.0\/8\?/);
    assert.throws(() => CidrList.parse('2001:db8::1/32'), /did you mean 2001:db8::\/32\?/);
  });
});
