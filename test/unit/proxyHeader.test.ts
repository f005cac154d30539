import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ProxyHeaderReader,
  ProxySignatureScreen,
  V1_MAX_BYTES,
  V2_MAX_BODY_BYTES,
  parseProxyHeader,
  startsWithProxySignature,
  type ProxyHeader,
} from '../../src/net/proxyHeader.js';

/**
 * Version 2 headers are built here byte by byte from the layout in HAProxy's
 * doc/proxy-protocol.txt 2.2, not with the parser's own constants: the
 * 12-byte signature, ver_cmd, fam, a big-endian length, then the body.
 */
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

function v2(verCmd: number, fam: number, body: number[] | Buffer, declaredLength = body.length): Buffer {
  return Buffer.from([...SIGNATURE, verCmd, fam, declaredLength >> 8, declaredLength & 0xff, ...body]);
}

const be16 = (n: number) => [n >> 8, n & 0xff];
/** struct ipv4_addr: src_addr, dst_addr, src_port, dst_port (spec 2.2). */
const ipv4Body = (src: number[], dst: number[], srcPort: number, dstPort: number) => [...src, ...dst, ...be16(srcPort), ...be16(dstPort)];
/** A TLV (spec 2.2): type, length_hi, length_lo, value. */
const tlv = (type: number, value: number[]) => [type, ...be16(value.length), ...value];

const V4_PROXY = v2(0x21, 0x11, ipv4Body([192, 0, 2, 10], [198, 51, 100, 1], 56324, 21));
const V6_SOURCE = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
const V6_DESTINATION = [0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0, 0x02];
const V6_PROXY = v2(0x21, 0x21, [...V6_SOURCE, ...V6_DESTINATION, ...be16(40000), ...be16(2121)]);

const v4Header = (source: string, sourcePort: number, destination: string, destinationPort: number, version: 1 | 2): ProxyHeader => ({
  version,
  command: 'proxy',
  family: 'IPv4',
  source: { address: source, port: sourcePort },
  destination: { address: destination, port: destinationPort },
});

function header(bytes: Buffer): { header: ProxyHeader; length: number } {
  const result = parseProxyHeader(bytes);
  assert.equal(result.kind, 'header', JSON.stringify(result));
  const { header: parsed, length } = result as { header: ProxyHeader; length: number };
  return { header: parsed, length };
}

function reason(bytes: Buffer | string): string {
  const result = parseProxyHeader(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  assert.equal(result.kind, 'error', `expected an error, got ${JSON.stringify(result)}`);
  return (result as { reason: string }).reason;
}

/** Feeds `bytes` to a fresh reader in pieces cut at `cuts`; returns every result. */
function feed(bytes: Buffer, cuts: number[]): ReturnType<ProxyHeaderReader['push']>[] {
  const reader = new ProxyHeaderReader();
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(1).map((end, i) => reader.push(bytes.subarray(bounds[i], end)));
}

describe('PROXY protocol version 1', () => {
  it("parses the spec's own TCP4 example and says where the header ends", () => {
    const line = 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n';
    const { header: h, length } = header(Buffer.from(line + 'GET / HTTP/1.1\r\n'));
    assert.deepEqual(h, v4Header('192.168.0.1', 56324, '192.168.0.11', 443, 1));
    assert.equal(length, line.length);
  });

  it('parses TCP6 and gives the addresses in RFC 5952 form', () => {
    const { header: h } = header(Buffer.from('PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:0001 2001:db8:1::abcd:2 40000 2121\r\n'));
    assert.deepEqual(h, {
      version: 1,
      command: 'proxy',
      family: 'IPv6',
      source: { address: '2001:db8::1', port: 40000 },
      destination: { address: '2001:db8:1::abcd:2', port: 2121 },
    });
  });

  it('accepts the longest TCP6 line of the spec (104 bytes), and port 0', () => {
    const full = Array(8).fill('ffff').join(':');
    const line = `PROXY TCP6 ${full} ${full} 65535 65535\r\n`;
    assert.equal(line.length, 104);
    const { header: h } = header(Buffer.from(line));
    assert.equal(h.command === 'proxy' && `${h.source.address} ${h.source.port} ${h.destination.port}`, `${full} 65535 65535`);
    const { header: zero } = header(Buffer.from('PROXY TCP4 192.0.2.1 192.0.2.2 0 0\r\n'));
    assert.equal(zero.command === 'proxy' && zero.source.port + zero.destination.port, 0);
  });

  it('accepts an IPv4-mapped TCP6 source written as inet_ntop writes it', () => {
    const { header: h } = header(Buffer.from('PROXY TCP6 ::ffff:192.0.2.7 ::ffff:192.0.2.1 1234 21\r\n'));
    assert.equal(h.command === 'proxy' && h.source.address, '::ffff:192.0.2.7');
  });

  it('takes UNKNOWN, short or with anything before the CRLF, as "use the connection\'s own addresses"', () => {
    assert.deepEqual(header(Buffer.from('PROXY UNKNOWN\r\n')), { header: { version: 1, command: 'local' }, length: 15 });
    const worst = `PROXY UNKNOWN ${Array(8).fill('ffff').join(':')} ${Array(8).fill('ffff').join(':')} 65535 65535\r\n`;
    assert.equal(worst.length, V1_MAX_BYTES);
    assert.deepEqual(header(Buffer.from(worst)), { header: { version: 1, command: 'local' }, length: 107 });
  });

  it('refuses a line without CRLF in its first 107 bytes, and waits while fewer have come', () => {
    const long = 'PROXY UNKNOWN ' + 'f'.repeat(200);
    assert.deepEqual(parseProxyHeader(Buffer.from(long.slice(0, V1_MAX_BYTES - 1))), { kind: 'more' });
    assert.match(reason(long.slice(0, V1_MAX_BYTES)), /no CRLF in the first 107 bytes/);
    // 106 bytes, then CRLF: the CR is the 107th byte, the LF the 108th.
    assert.match(reason(long.slice(0, V1_MAX_BYTES - 1) + '\r\n'), /no CRLF in the first 107 bytes/);
  });

  it('refuses a bare LF, a CR without LF, and bytes that are not printable ASCII', () => {
    assert.match(reason('PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n'), /LF alone/);
    assert.match(reason('PROXY TCP4 192.0.2.1 192.0.2.2 1 2\rX\n'), /CR without LF/);
    assert.match(reason('PROXY TCP4 192.0.2.1\t192.0.2.2 1 2\r\n'), /printable ASCII/);
    assert.match(reason(Buffer.from('PROXY TCP4 192.0.2.1 192.0.2.2 1 2\u00e9\r\n', 'utf8')), /printable ASCII/);
  });

  it('refuses other protocols, wrong spacing and wrong field counts', () => {
    assert.match(reason('PROXY TCP5 192.0.2.1 192.0.2.2 1 2\r\n'), /unknown protocol "TCP5"/);
    assert.match(reason('PROXY tcp4 192.0.2.1 192.0.2.2 1 2\r\n'), /unknown protocol "tcp4"/);
    assert.match(reason('PROXY UNKNOWNX\r\n'), /unknown protocol "UNKNOWNX"/);
    assert.match(reason('PROXY \r\n'), /unknown protocol ""/);
    assert.match(reason('PROXY  TCP4 192.0.2.1 192.0.2.2 1 2\r\n'), /unknown protocol ""/);
    assert.match(reason('PROXY TCP4 192.0.2.1  192.0.2.2 1 2\r\n'), /exactly 4 fields/);
    assert.match(reason('PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n'), /exactly 4 fields/);
    assert.match(reason('PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n'), /exactly 4 fields/);
    assert.match(reason('PROXY TCP4 192.0.2.1 192.0.2.2 1 2 \r\n'), /exactly 4 fields/);
  });

  it('refuses addresses that are malformed or of the other family', () => {
    for (const bad of ['256.0.0.1', '192.0.2', '192.0.2.1.5', '192.0.02.1', '0x7f.0.0.1', '', '::1', '192.0.2.1/32']) {
      assert.match(reason(`PROXY TCP4 ${bad} 192.0.2.2 1 2\r\n`), /not an IPv4 source address/, bad);
      assert.match(reason(`PROXY TCP4 192.0.2.2 ${bad} 1 2\r\n`), /not an IPv4 destination address/, bad);
    }
    for (const bad of [
      '192.0.2.1',
      '2001:db8::1::2',
      '2001:db8:0:0:0:0:0:0:1',
      '2001:db8:0:0:0:0:1',
      '12345::1',
      'g::1',
      ':1',
      '1:',
      'fe80::1%eth0',
      '1.2.3.4::',
    ]) {
      assert.match(reason(`PROXY TCP6 ${bad} ::1 1 2\r\n`), /not an IPv6 source address/, bad);
    }
  });

  it('refuses ports out of range, with leading zeroes or signs', () => {
    for (const bad of ['65536', '01', '-1', '+1', '1e3', '99999999']) {
      assert.match(reason(`PROXY TCP4 192.0.2.1 192.0.2.2 ${bad} 21\r\n`), /not a source port/, bad);
      assert.match(reason(`PROXY TCP4 192.0.2.1 192.0.2.2 21 ${bad}\r\n`), /not a destination port/, bad);
    }
  });
});

describe('PROXY protocol version 2', () => {
  it('parses PROXY over TCP/IPv4 and TCP/IPv6', () => {
    assert.deepEqual(header(V4_PROXY), { header: v4Header('192.0.2.10', 56324, '198.51.100.1', 21, 2), length: 28 });
    assert.deepEqual(header(V6_PROXY), {
      header: {
        version: 2,
        command: 'proxy',
        family: 'IPv6',
        source: { address: '2001:db8::1', port: 40000 },
        destination: { address: '2001:db8:1::abcd:2', port: 2121 },
      },
      length: 52,
    });
  });

  it('skips TLVs after the addresses and leaves the bytes after the header to the connection', () => {
    const tlvs = [...tlv(0x04, [0, 0, 0]), ...tlv(0x05, [...Buffer.from('unique-id')]), ...tlv(0xe0, [])];
    const bytes = Buffer.concat([v2(0x21, 0x11, [...ipv4Body([203, 0, 113, 5], [10, 0, 0, 1], 1, 2), ...tlvs]), Buffer.from('USER x\r\n')]);
    const { header: h, length } = header(bytes);
    assert.deepEqual(h, v4Header('203.0.113.5', 1, '10.0.0.1', 2, 2));
    assert.equal(bytes.subarray(length).toString(), 'USER x\r\n');
  });

  it("takes LOCAL (a health check) as the connection's own, with or without an address block", () => {
    assert.deepEqual(header(v2(0x20, 0x00, [])), { header: { version: 2, command: 'local' }, length: 16 });
    assert.deepEqual(header(v2(0x20, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10))), { header: { version: 2, command: 'local' }, length: 28 });
    // The spec: the length is honoured for LOCAL too, never assumed zero.
    assert.deepEqual(header(v2(0x20, 0x00, [1, 2, 3])), { header: { version: 2, command: 'local' }, length: 19 });
  });

  it("falls back to the connection's own addresses for UNSPEC, UDP and UNIX, as the spec allows", () => {
    for (const fam of [0x00, 0x01, 0x10, 0x12, 0x22, 0x31, 0x32]) {
      const body = fam >> 4 === 3 ? new Array<number>(216).fill(0x2f) : new Array<number>(36).fill(0);
      assert.deepEqual(header(v2(0x21, fam, body)).header, { version: 2, command: 'local' }, `fam 0x${fam.toString(16)}`);
    }
  });

  it('refuses a version other than 2, an unassigned command, and undefined families or protocols', () => {
    assert.match(reason(v2(0x11, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10))), /version 1/);
    assert.match(reason(v2(0x31, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10))), /version 3/);
    assert.match(reason(v2(0x22, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10))), /command 2/);
    assert.match(reason(v2(0x2f, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10))), /command 15/);
    assert.match(reason(v2(0x21, 0x41, [])), /address family 4/);
    assert.match(reason(v2(0x21, 0x13, [])), /transport protocol 3/);
  });

  it('refuses an address block too short for its family', () => {
    assert.match(reason(v2(0x21, 0x11, ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10).slice(0, 11))), /IPv4 address block of 11 bytes; it takes 12/);
    assert.match(reason(v2(0x21, 0x21, new Array<number>(35).fill(0))), /IPv6 address block of 35 bytes; it takes 36/);
    assert.match(reason(v2(0x21, 0x11, [])), /IPv4 address block of 0 bytes/);
  });

  it('refuses a length past the limit as soon as the 16 fixed bytes are in, without waiting for the body', () => {
    assert.match(reason(v2(0x21, 0x11, [], V2_MAX_BODY_BYTES + 1)), /past the limit/);
    assert.match(reason(v2(0x21, 0x11, [], 0xffff)), /65551 bytes is past the limit/);
    const atLimit = v2(0x21, 0x11, [...ipv4Body([1, 2, 3, 4], [5, 6, 7, 8], 9, 10), ...new Array<number>(V2_MAX_BODY_BYTES - 12).fill(0)]);
    assert.equal(header(atLimit).length, 16 + V2_MAX_BODY_BYTES);
  });

  it('refuses a wrong signature byte as soon as that byte has come', () => {
    for (let i = 1; i < SIGNATURE.length; i++) {
      const bytes = Buffer.from(V4_PROXY);
      bytes[i] ^= 0x20;
      assert.match(reason(bytes.subarray(0, i + 1)), /does not start with a PROXY header/, `byte ${i}`);
      assert.deepEqual(parseProxyHeader(bytes.subarray(0, i)), { kind: 'more' }, `byte ${i}`);
    }
  });
});

describe('parsing a PROXY header fed in pieces', () => {
  const cases: Array<[string, Buffer]> = [
    ['v1 TCP4', Buffer.from('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n')],
    ['v1 TCP6', Buffer.from('PROXY TCP6 2001:db8::1 2001:db8:1::abcd:2 40000 2121\r\n')],
    ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN\r\n')],
    ['v2 IPv4', V4_PROXY],
    ['v2 IPv6', V6_PROXY],
    ['v2 LOCAL', v2(0x20, 0x00, [])],
  ];
  const payload = Buffer.from('\x16\x03\x01 rest of the connection, which may be a TLS ClientHello\r\n', 'latin1');

  for (const [name, bytes] of cases) {
    it(`${name}: every proper prefix needs more, and a cut at any byte gives the same header and rest`, () => {
      const whole = header(bytes).header;
      for (let n = 0; n < bytes.length; n++) assert.deepEqual(parseProxyHeader(bytes.subarray(0, n)), { kind: 'more' }, `prefix ${n}`);
      const stream = Buffer.concat([bytes, payload]);
      for (let cut = 1; cut < stream.length; cut++) {
        if (cut < bytes.length) {
          const [first, second] = feed(stream, [cut]);
          assert.deepEqual(first, { kind: 'more' }, `cut at ${cut}`);
          assert.deepEqual(second, { kind: 'header', header: whole, rest: payload }, `cut at ${cut}`);
        } else {
          // The header's last byte came with some of what follows: that part is handed back, whole.
          const [only] = feed(stream.subarray(0, cut), []);
          assert.deepEqual(only, { kind: 'header', header: whole, rest: stream.subarray(bytes.length, cut) }, `cut at ${cut}`);
        }
      }
    });

    it(`${name}: one byte at a time gives "more" up to the last byte of the header`, () => {
      const results = feed(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        results.map((r) => r.kind),
        [...new Array<string>(bytes.length - 1).fill('more'), 'header'],
      );
    });
  }
});

describe('telling a direct client from one that sends a PROXY header', () => {
  it('decides at the first byte that differs from both signatures', () => {
    assert.equal(startsWithProxySignature(Buffer.from('U')), false);
    assert.equal(startsWithProxySignature(Buffer.from('PROXY')), null);
    assert.equal(startsWithProxySignature(Buffer.from('PROXY ')), true);
    assert.equal(startsWithProxySignature(Buffer.from('PROXY\r\n')), false);
    assert.equal(startsWithProxySignature(Buffer.from('PWD\r\n')), false);
    assert.equal(startsWithProxySignature(Buffer.from(SIGNATURE.slice(0, 11))), null);
    assert.equal(startsWithProxySignature(Buffer.from(SIGNATURE)), true);
    assert.equal(startsWithProxySignature(Buffer.from('\r\n\r\nUSER x\r\n')), false);
  });

  it('holds the first bytes until it can tell, then passes all of them or reports a header', () => {
    const screen = new ProxySignatureScreen();
    assert.deepEqual(screen.push(Buffer.from('\r\n')), { kind: 'hold' });
    assert.deepEqual(screen.push(Buffer.from('\r\nUSER x\r\n')), { kind: 'pass', bytes: Buffer.from('\r\n\r\nUSER x\r\n') });
    assert.deepEqual(screen.push(Buffer.from('PROXY ')), { kind: 'pass', bytes: Buffer.from('PROXY ') }, 'decided once, then everything passes');

    const v1 = new ProxySignatureScreen();
    for (const ch of 'PROXY') assert.deepEqual(v1.push(Buffer.from(ch)), { kind: 'hold' });
    assert.deepEqual(v1.push(Buffer.from(' TCP4 1.2.3.4 5.6.7.8 1 2\r\n')), { kind: 'proxy' });

    const v2screen = new ProxySignatureScreen();
    const results: string[] = SIGNATURE.map((b) => v2screen.push(Buffer.from([b])).kind);
    assert.deepEqual(results, [...new Array<string>(11).fill('hold'), 'proxy']);
  });

  it('anything else is "not a PROXY header" at its first byte', () => {
    for (const start of ['USER anonymous\r\n', '\x16\x03\x01', 'GET / HTTP/1.1\r\n', '\x00']) {
      assert.match(reason(start.slice(0, 1)), /does not start with a PROXY header/, JSON.stringify(start));
    }
    assert.match(reason('PROXX'), /does not start with a PROXY header/);
    assert.equal(parseProxyHeader(Buffer.alloc(0)).kind, 'more');
  });
});
