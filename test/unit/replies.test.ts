import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reply, formatReply, quotePath } from '../../src/ftp/protocol/replies.js';

describe('formatReply', () => {
  it('writes a single line as "code text"', () => {
    assert.equal(formatReply(Reply.Ok, 'NOOP ok'), '200 NOOP ok\r\n');
  });

  it('writes a multi-line reply with indented middle lines', () => {
    assert.equal(
      formatReply(Reply.SystemStatus, ['Extensions supported:', 'SIZE', '213 looks like a code', 'End']),
      '211-Extensions supported:\r\n SIZE\r\n 213 looks like a code\r\n211 End\r\n',
    );
  });

  it('cannot be made to forge a reply line with CR or LF in the text', () => {
    assert.equal(formatReply(Reply.FileUnavailable, 'x\r\n226 fake'), '550 x??226 fake\r\n');
  });

  it('doubles quotes inside a quoted path (RFC 959 appendix II)', () => {
    assert.equal(quotePath('/say "hi"'), '"/say ""hi"""');
  });
});
