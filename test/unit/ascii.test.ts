import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable, type Transform } from 'node:stream';
import { CrlfToLf, LfToCrlf } from '../../src/ftp/protocol/ascii.js';

async function convert(transform: Transform, chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks.map((s) => Buffer.from(s, 'latin1'))).pipe(transform)) out.push(c as Buffer);
  return Buffer.concat(out).toString('latin1');
}

/** Every way of cutting `text` into two chunks must give the same result as one chunk. */
async function everySplit(make: () => Transform, text: string): Promise<string[]> {
  const results = [];
  for (let i = 0; i <= text.length; i++) results.push(await convert(make(), [text.slice(0, i), text.slice(i)]));
  return results;
}

describe('TYPE A conversion', () => {
  it('turns LF into CRLF on the way out, without doubling an existing CRLF', async () => {
    assert.equal(await convert(new LfToCrlf(), ['a\nb\r\nc\n\n']), 'a\r\nb\r\nc\r\n\r\n');
    assert.equal(await convert(new LfToCrlf(), ['\n']), '\r\n');
  });

  it('turns CRLF into LF on the way in and keeps a lone CR', async () => {
    assert.equal(await convert(new CrlfToLf(), ['a\r\nb\rc\r\n\r\n']), 'a\nb\rc\n\n');
    assert.equal(await convert(new CrlfToLf(), ['end\r']), 'end\r');
  });

  it('gives the same result wherever a chunk boundary falls', async () => {
    const out = 'x\ny\r\n\nz\r';
    for (const r of await everySplit(() => new LfToCrlf(), out)) assert.equal(r, 'x\r\ny\r\n\r\nz\r');
    const back = 'x\r\ny\r\r\nz\r';
    for (const r of await everySplit(() => new CrlfToLf(), back)) assert.equal(r, 'x\ny\r\nz\r');
  });

  it('round-trips a text file', async () => {
    const text = 'line one\nline two\n\nlast';
    assert.equal(await convert(new CrlfToLf(), [await convert(new LfToCrlf(), [text])]), text);
  });
});
