import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineReader, type LineEvent } from '../../src/ftp/protocol/LineReader.js';

const lines = (events: LineEvent[]) => events.map((e) => (e.kind === 'line' ? e.line : '<overlong>'));

describe('LineReader', () => {
  it('splits CRLF-terminated lines and keeps the rest for later', () => {
    const r = new LineReader();
    assert.deepEqual(lines(r.push(Buffer.from('USER a\r\nPASS b\r\nPW'))), ['USER a', 'PASS b']);
    assert.deepEqual(lines(r.push(Buffer.from('D\r\n'))), ['PWD']);
  });

  it('joins a line split in the middle of its CRLF', () => {
    const r = new LineReader();
    assert.deepEqual(lines(r.push(Buffer.from('NOOP\r'))), []);
    assert.deepEqual(lines(r.push(Buffer.from('\n'))), ['NOOP']);
  });

  it('accepts a bare LF as a line end', () => {
    assert.deepEqual(lines(new LineReader().push(Buffer.from('SYST\nNOOP\n'))), ['SYST', 'NOOP']);
  });

  it('decodes UTF-8 even when a character is split between chunks', () => {
    const r = new LineReader();
    const bytes = Buffer.from('STOR café.txt\r\n');
    const cut = bytes.indexOf(0xa9); // second byte of "é"
    assert.deepEqual(lines(r.push(bytes.subarray(0, cut))), []);
    assert.deepEqual(lines(r.push(bytes.subarray(cut))), ['STOR café.txt']);
  });

  it('reports an overlong line once and carries on with the next one', () => {
    const r = new LineReader(16);
    const events = [...r.push(Buffer.from('A'.repeat(10))), ...r.push(Buffer.from('B'.repeat(20))), ...r.push(Buffer.from('C\r\nNOOP\r\n'))];
    assert.deepEqual(lines(events), ['<overlong>', 'NOOP']);
  });

  it('reports an overlong line that arrives whole in one chunk', () => {
    const r = new LineReader(16);
    assert.deepEqual(lines(r.push(Buffer.from('X'.repeat(100) + '\r\nNOOP\r\n'))), ['<overlong>', 'NOOP']);
  });

  it('accepts a line exactly at the cap', () => {
    const r = new LineReader(8);
    assert.deepEqual(lines(r.push(Buffer.from('ABCDEFGH\n'))), ['ABCDEFGH']);
  });

  it('removes Telnet IP and DM sequences sent before ABOR', () => {
    const r = new LineReader();
    const bytes = Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')]);
    assert.deepEqual(lines(r.push(bytes)), ['ABOR']);
  });

  it('removes Telnet option negotiation split across chunks', () => {
    const r = new LineReader();
    assert.deepEqual(lines(r.push(Buffer.from([0x4e, 0x4f, 0xff]))), []);
    assert.deepEqual(lines(r.push(Buffer.from([0xfd, 0x01, 0x4f, 0x50, 0x0d, 0x0a]))), ['NOOP']);
  });

  it('shows the unfinished line through peekPartial and forgets it on clear', () => {
    const r = new LineReader();
    r.push(Buffer.from('ABOR\r'));
    assert.equal(r.peekPartial(), 'ABOR\r');
    r.clear();
    assert.equal(r.peekPartial(), '');
    assert.deepEqual(lines(r.push(Buffer.from('NOOP\r\n'))), ['NOOP']);
  });
});

describe('LineReader.takePendingAbort', () => {
  it('takes an ABOR whose LF was sent as urgent data and never arrives', () => {
    const r = new LineReader();
    r.push(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r')]));
    assert.equal(r.takePendingAbort(), true);
    assert.deepEqual(lines(r.push(Buffer.from('PWD\r\n'))), ['PWD']);
  });

  it('leaves anything else pending', () => {
    const r = new LineReader();
    r.push(Buffer.from('ABORT\r'));
    assert.equal(r.takePendingAbort(), false);
    r.clear();
    r.push(Buffer.from('ABOR'));
    assert.equal(r.takePendingAbort(), false);
  });
});

describe('LineReader and Telnet option bytes', () => {
  it('reads an LF that is the option byte of IAC DO as the option, not as a line end', () => {
    const r = new LineReader();
    const bytes = Buffer.concat([Buffer.from('NOOP'), Buffer.from([0xff, 0xfd, 0x0a]), Buffer.from('XDELE victim.txt\r\n')]);
    assert.deepEqual(lines(r.push(bytes)), ['NOOPXDELE victim.txt']);
  });
});
