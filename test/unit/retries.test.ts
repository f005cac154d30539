import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { FTPError } from 'basic-ftp';
import { ClientError, toClientError } from '../../src/client/ClientError.js';
import { MESSAGES } from '../../src/client/repl/messages.js';
import { ProgressBar } from '../../src/client/repl/ProgressBar.js';
import { isConnectionLoss, pauseMs } from '../../src/client/retries.js';

/** What the bar drew last: from its last carriage return to the end (ESC [ K erases the rest of the line). */
function lastLine(written: string): string {
  return written.slice(written.lastIndexOf('\r'));
}

const reply = (code: number, text: string) => toClientError(new FTPError({ code, message: `${code} ${text}` }));
const errno = (code: string) => toClientError(Object.assign(new Error(code), { code }));

describe('what a retry is for', () => {
  it('is a lost connection: a reset, a timeout, an end of file, a refused reconnect', () => {
    assert.equal(isConnectionLoss(errno('ECONNRESET'), false), true);
    assert.equal(isConnectionLoss(errno('ETIMEDOUT'), false), true);
    assert.equal(isConnectionLoss(toClientError(new Error('Server sent FIN packet unexpectedly, closing connection.')), true), true);
    assert.equal(isConnectionLoss(errno('ECONNREFUSED').within([{ problem: 'cannotConnect', args: ['h:21'] }], 'connect'), true), true);
    assert.equal(isConnectionLoss(new ClientError([{ problem: 'dataTimedOut' }]), false), true);
  });

  it('is a reply that the service or its data connection is going: 421, 425, 426', () => {
    for (const code of [421, 425, 426]) assert.equal(isConnectionLoss(reply(code, 'gone'), false), true, String(code));
  });

  it('is never a refusal about the file or the login, even with the connection closed after it', () => {
    for (const code of [450, 451, 550, 553, 530, 552]) assert.equal(isConnectionLoss(reply(code, 'no'), true), false, String(code));
  });

  it('is never a local failure, a failed check or Ctrl-C', () => {
    assert.equal(isConnectionLoss(errno('ENOSPC'), true), false);
    assert.equal(isConnectionLoss(new ClientError(['a.bin', { problem: 'hashDiffersByHash', args: ['a', 'b'] }], 'verify'), true), false);
    assert.equal(isConnectionLoss(new ClientError([{ problem: 'interrupted' }], 'interrupted'), true), false);
  });

  it('is something else only when the connection is gone with it', () => {
    const odd = toClientError(new Error('something odd'));
    assert.equal(isConnectionLoss(odd, false), false);
    assert.equal(isConnectionLoss(odd, true), true);
  });
});

describe('pauses between retries', () => {
  it('double from half a second up to eight, within 20% either way', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => pauseMs(n, () => 0.5)),
      [500, 1000, 2000, 4000, 8000, 8000],
    );
    assert.equal(
      pauseMs(1, () => 0),
      400,
    );
    assert.equal(
      pauseMs(1, () => 1),
      600,
    );
  });
});

describe('the retry on the progress line', () => {
  it('replaces the figures until data moves again, in both languages', () => {
    const out = Object.assign(new PassThrough(), { columns: 80 });
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    let now = 0;
    const bar = new ProgressBar(out, 'ETA', () => now);
    bar.start('big.bin', 1000, 0);
    bar.update(400);
    assert.equal(bar.active, true);
    const reason = errno('ECONNRESET');
    bar.say(MESSAGES.en.retrying(1, 3, reason.text('en')));
    assert.equal(lastLine(written), '\rbig.bin  retrying (1/3) after: connection reset by the server\x1b[K');
    bar.say(MESSAGES.id.retrying(2, 3, reason.text('id')));
    assert.equal(lastLine(written), '\rbig.bin  mencoba lagi (2/3) setelah: koneksi diputus oleh server\x1b[K');
    now += 1000;
    bar.update(500);
    assert.match(written, /\rbig\.bin +50% .*500 B \/ 1000 B/);
    assert.doesNotMatch(written.slice(written.lastIndexOf('\r')), /retrying|mencoba/);
  });
});
