/**
 * The connection limits every door shares (the core's ConnectionLimits):
 * with --max-per-ip 2, two places taken on one door leave none on the
 * other, in both directions, and a place comes back when its connection
 * closes. The real `sockftp serve` with FTP and the web door, raw sockets
 * for both.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { eventually } from '../helpers/eventually.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { startWeb, type Web } from './webClient.js';

async function start(t: TestContext): Promise<Web> {
  const dir = tempDir('sockftp-limits-');
  t.after(() => removeDir(dir));
  const web = await startWeb(dir, `${dir}/.staging`, ['--max-per-ip', '2']);
  t.after(() => web.stop());
  return web;
}

/** A keep-alive connection to the web door, with one request answered on it: its place is taken once this resolves. */
async function webConnection(t: TestContext, url: string): Promise<{ socket: net.Socket; status: number; body: string }> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  // Read by hand, not with for-await: leaving that loop would destroy the socket, and give its place back.
  socket.setEncoding('utf8');
  const text = await new Promise<string>((resolve, reject) => {
    let got = '';
    const onData = (chunk: string) => {
      got += chunk;
      const head = got.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(got);
      if (head < 0 || !length || got.length < head + 4 + Number(length[1])) return;
      socket.off('data', onData);
      resolve(got);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after ${JSON.stringify(got)}`)));
  });
  return { socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)![1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

describe('connection limits shared by every door', () => {
  it('refuses a web request with 503 while FTP holds the places of its address, and serves it once one is given back', async (t) => {
    const web = await start(t);
    const first = await ControlConnection.open(web.ftp.port);
    t.after(() => first.conn.close());
    const second = await ControlConnection.open(web.ftp.port);
    t.after(() => second.conn.close());
    assert.equal(second.greeting.code, 220);

    const refused = await fetch(`${web.url}/api/session`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('connection'), 'close');
    assert.equal(((await refused.json()) as { error: string }).error, 'busy');

    await second.conn.expect('QUIT', 221);
    await second.conn.waitClosed();
    // The place comes back when the FTP session has closed on the server's side too, a moment after the client sees it.
    let status = 503;
    await eventually(async () => (status = (await webConnection(t, web.url)).status) !== 503, { what: 'the web door to take the address again' });
    assert.equal(status, 401, 'served again: not logged in, not busy');
  });

  it('greets FTP with 421 while web connections hold the places of its address', async (t) => {
    const web = await start(t);
    assert.equal((await webConnection(t, web.url)).status, 401);
    assert.equal((await webConnection(t, web.url)).status, 401);
    const { conn, greeting } = await ControlConnection.open(web.ftp.port);
    t.after(() => conn.close());
    assert.equal(greeting.code, 421);
    assert.match(greeting.text, /Too many connections from your address/);
  });
});
