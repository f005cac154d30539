/**
 * The admin listener of the real CLI (--admin-address): /metrics in strict
 * Prometheus text whose counters move exactly as real FTP traffic says,
 * /healthz from a real greeting, /readyz turning 503 on SIGTERM before any
 * session is told 421, and the flags' refusals.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { eventually } from '../helpers/eventually.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { scrapeMetrics, type Samples } from '../helpers/prometheus.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const curl = (...args: string[]) => run('curl', ['--silent', '--show-error', '--max-time', '30', ...args]);

interface Admin {
  readonly server: RunningServer;
  readonly url: string;
  /** The directory the server serves. */
  readonly root: string;
}

/** The CLI with its admin listener, serving a directory of its own; the server stopped and the directory removed after `t`. */
async function startWithAdmin(t: TestContext, args: readonly string[] = []): Promise<Admin> {
  const root = tempDir();
  t.after(() => removeDir(root));
  const server = await startServer(root, ['--admin-address', '127.0.0.1:0', '--log-format', 'json', ...args]);
  t.after(() => server.stop());
  const url = /"adminUrl":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(server.output())?.[1];
  assert.ok(url, `the start line names no admin URL:\n${server.output()}`);
  return { server, url, root };
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

function scrape(admin: Admin): Promise<Samples> {
  return scrapeMetrics(admin.url);
}

/** How much each sample moved between two scrapes (absent counts as 0), only the ones that moved. */
function moved(before: Samples, after: Samples, prefix = 'sockftp_'): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith(prefix)) continue;
    const d = value - (before.get(key) ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
}

/** Polls until the open-sessions gauge is back to `n`: sessions close after their last reply is read. */
async function sessionsBackTo(admin: Admin, n: number): Promise<Samples> {
  let samples = await scrape(admin);
  await eventually(async () => (samples = await scrape(admin)).get('sockftp_sessions{door="ftp"}') === n, {
    what: `sockftp_sessions{door="ftp"} to go back to ${n}`,
  });
  return samples;
}

describe('admin listener', () => {
  it('counts exactly the commands, replies, logins, transfers, bytes and storage errors of real sessions', async (t) => {
    const admin = await startWithAdmin(t);
    const before = await scrape(admin);
    assert.equal(before.get('sockftp_sessions{door="ftp"}'), 0);
    assert.ok(before.has('process_cpu_user_seconds_total') && before.has('nodejs_heap_size_used_bytes'), "prom-client's default metrics are missing");

    const conn = await ControlConnection.login(admin.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    await conn.expect('EPSV', 229);
    const waiting = await scrape(admin);
    assert.equal(waiting.get('sockftp_data_connections_waiting'), 1, 'an EPSV without its transfer waits');
    assert.equal(waiting.get('sockftp_sessions{door="ftp"}'), 1);
    assert.equal((await conn.sendData('STOR a.bin', Buffer.alloc(1000, 7))).final.code, 226);
    const download = await conn.receive('RETR a.bin');
    assert.equal(download.data.length, 1000);
    assert.equal(download.final.code, 226);
    await conn.expect('RETR missing.bin', 550);
    await conn.expect('QUIT', 221);
    const { conn: guess } = await ControlConnection.open(admin.server.port);
    t.after(() => guess.close());
    await guess.expect('USER nobody', 331);
    await guess.expect('PASS wrong', 530);
    await guess.expect('QUIT', 221);
    const after = await sessionsBackTo(admin, 0);

    assert.deepEqual(moved(before, after), {
      'sockftp_sessions_total{door="ftp"}': 2,
      'sockftp_logins_total{door="ftp",result="ok"}': 1,
      'sockftp_logins_total{door="ftp",result="failed"}': 1,
      'sockftp_commands_total{door="ftp",verb="USER"}': 2,
      'sockftp_commands_total{door="ftp",verb="PASS"}': 2,
      'sockftp_commands_total{door="ftp",verb="TYPE"}': 1,
      'sockftp_commands_total{door="ftp",verb="EPSV"}': 3,
      'sockftp_commands_total{door="ftp",verb="STOR"}': 1,
      'sockftp_commands_total{door="ftp",verb="RETR"}': 2,
      'sockftp_commands_total{door="ftp",verb="QUIT"}': 2,
      // USER 331 twice; PASS 530 and RETR 550; the rest 2xx, RETR and STOR by their transfers' 226.
      'sockftp_replies_total{class="2xx",door="ftp"}': 9,
      'sockftp_replies_total{class="3xx",door="ftp"}': 2,
      'sockftp_replies_total{class="5xx",door="ftp"}': 2,
      'sockftp_transfers_total{direction="upload",door="ftp",result="ok"}': 1,
      'sockftp_transfers_total{direction="download",door="ftp",result="ok"}': 1,
      'sockftp_bytes_received_total{door="ftp"}': 1000,
      'sockftp_bytes_sent_total{door="ftp"}': 1000,
      'sockftp_transfer_duration_seconds_count{direction="upload",door="ftp"}': 1,
      'sockftp_transfer_duration_seconds_count{direction="download",door="ftp"}': 1,
      'sockftp_transfer_duration_seconds_bucket{direction="upload",door="ftp",le="+Inf"}': 1,
      'sockftp_transfer_duration_seconds_bucket{direction="download",door="ftp",le="+Inf"}': 1,
      'sockftp_storage_errors_total{backend="local",code="NOT_FOUND",door="ftp"}': 1,
      // The buckets at and above each duration, and the sums, moved too; they are checked below.
      ...pick(moved(before, after), /_bucket\{.*le="(?!\+Inf)|_sum\{/),
    });
    for (const [key, value] of Object.entries(pick(moved(before, after), /_bucket\{/))) assert.equal(value, 1, key);
    for (const direction of ['upload', 'download']) {
      const sum = after.get(`sockftp_transfer_duration_seconds_sum{direction="${direction}",door="ftp"}`)!;
      assert.ok(sum >= 0, `${direction} took ${sum} s`);
    }
    assert.equal(after.get('sockftp_data_connections_waiting'), 0);
    assert.equal(after.get('sockftp_ready'), 1);
  });

  it('counts the bytes and transfers of an independent client (curl) and a ban', async (t) => {
    const admin = await startWithAdmin(t, ['--max-login-failures', '2']);
    const work = tempDir();
    t.after(() => removeDir(work));
    const source = path.join(work, 'up.bin');
    fs.writeFileSync(source, Buffer.alloc(12_345, 1));
    const before = await scrape(admin);
    assert.equal((await curl('-T', source, `${admin.server.url}/up.bin`)).code, 0);
    assert.equal((await curl('-o', path.join(work, 'down.bin'), `${admin.server.url}/up.bin`)).code, 0);
    assert.equal((await curl('--list-only', `${admin.server.url}/`)).stdout, 'up.bin\n');
    const missing = await curl('-o', path.join(work, 'none'), `${admin.server.url}/none.bin`);
    assert.equal(missing.code, 78, 'curl says "remote file not found"');
    const mid = await sessionsBackTo(admin, 0);
    const d = moved(before, mid);
    assert.equal(d['sockftp_sessions_total{door="ftp"}'], 4);
    assert.equal(d['sockftp_logins_total{door="ftp",result="ok"}'], 4);
    assert.equal(d['sockftp_transfers_total{direction="upload",door="ftp",result="ok"}'], 1);
    assert.equal(d['sockftp_transfers_total{direction="download",door="ftp",result="ok"}'], 1);
    assert.equal(d['sockftp_transfers_total{direction="listing",door="ftp",result="ok"}'], 1);
    assert.equal(d['sockftp_bytes_received_total{door="ftp"}'], 12_345);
    // The download and the listing's one line "up.bin\r\n".
    assert.equal(d['sockftp_bytes_sent_total{door="ftp"}'], 12_345 + 8);
    assert.ok(d['sockftp_storage_errors_total{backend="local",code="NOT_FOUND",door="ftp"}'] >= 1);
    assert.equal(d['sockftp_bans_total{door="ftp"}'], undefined);

    const { conn } = await ControlConnection.open(admin.server.port);
    t.after(() => conn.close());
    await conn.expect('USER nobody', 331);
    await conn.expect('PASS wrong', 530);
    await conn.expect('USER nobody', 331);
    await conn.expect('PASS wrong again', 421);
    await conn.waitClosed();
    const after = await sessionsBackTo(admin, 0);
    assert.equal(moved(mid, after)['sockftp_bans_total{door="ftp"}'], 1);
    assert.equal(moved(mid, after)['sockftp_logins_total{door="ftp",result="failed"}'], 2);
  });

  it('answers /healthz 200 after a real greeting, 503 while the server greets newcomers with 421, and 404 elsewhere', async (t) => {
    const admin = await startWithAdmin(t, ['--max-clients', '1']);
    assert.deepEqual(await get(`${admin.url}/healthz`).then((r) => [r.status, r.body]), [200, 'ok\n']);
    await sessionsBackTo(admin, 0);
    // The one session allowed is taken: a client (and the probe) would be told 421, not greeted.
    const { conn } = await ControlConnection.open(admin.server.port);
    t.after(() => conn.close());
    const full = await get(`${admin.url}/healthz`);
    assert.equal(full.status, 503);
    assert.match(full.body, /^FTP greeting failed: greeted with "421 /);
    conn.close();
    await sessionsBackTo(admin, 0);
    assert.equal((await get(`${admin.url}/healthz`)).status, 200);
    assert.equal((await get(`${admin.url}/`)).status, 404);
    assert.equal((await get(`${admin.url}/metrics/extra`)).status, 404);
    assert.equal((await fetch(`${admin.url}/readyz`, { method: 'POST' })).status, 405);
  });

  it('greets its /healthz probe through the PROXY protocol when loopback is a trusted load balancer', async (t) => {
    const admin = await startWithAdmin(t, ['--proxy-protocol-from', '127.0.0.0/8']);
    assert.deepEqual(await get(`${admin.url}/healthz`).then((r) => [r.status, r.body]), [200, 'ok\n']);
  });

  it('turns /readyz 503 at SIGTERM, keeps serving through the drain delay, only then tells idle sessions 421, and answers 503 until the exit', async (t) => {
    const admin = await startWithAdmin(t, ['--drain-delay', '1']);
    const { url, server, root } = admin;
    assert.equal((await get(`${url}/readyz`)).status, 200);
    const idle = await ControlConnection.login(server.port);
    t.after(() => idle.close());
    // An upload runs through the shutdown, so the process (and its admin listener) outlives the 421s.
    const uploader = await ControlConnection.login(server.port);
    t.after(() => uploader.close());
    const data = await uploader.passive();
    await uploader.expect('STOR during.bin', 150);
    data.write('first half ');
    const polls: Array<{ at: number; status: number }> = [];
    let polling = true;
    const poller = (async () => {
      for (let i = 0; polling && i < 2_000; i++) {
        const status = await get(`${url}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        polls.push({ at: Date.now(), status });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    t.after(() => {
      polling = false;
      return poller;
    });
    const signalled = Date.now();
    const exited = once(server.process, 'exit');
    server.process.kill('SIGTERM');
    await eventually(() => polls.some((p) => p.status === 503), { what: 'a 503 from /readyz' });
    // Draining: the load balancer has been told, and a newcomer is still greeted and served.
    const { conn: newcomer, greeting } = await ControlConnection.open(server.port);
    t.after(() => newcomer.close());
    assert.equal(greeting.code, 220);
    await newcomer.expect('NOOP', 200);
    const told = await idle.read();
    const toldAt = Date.now();
    assert.equal(told.code, 421);
    assert.equal((await newcomer.read()).code, 421);
    await eventually(() => polls.some((p) => p.at > toldAt && p.status === 503), { what: 'a 503 from /readyz after the 421' });
    data.end('second half');
    assert.equal((await uploader.read()).code, 226);
    assert.equal((await uploader.read()).code, 421);
    polling = false;
    await poller;
    const first503 = polls.find((p) => p.status === 503)!;
    assert.ok(
      polls.filter((p) => p.at < signalled).every((p) => p.status === 200),
      'not ready before SIGTERM',
    );
    assert.ok(first503.at < toldAt, `/readyz said 503 at +${first503.at - signalled} ms, the 421 came at +${toldAt - signalled} ms`);
    assert.ok(toldAt - signalled >= 900, `the 421 came ${toldAt - signalled} ms after SIGTERM, before the 1 s drain delay`);
    assert.ok(
      polls.filter((p) => p.at > first503.at).every((p) => p.status === 503 || p.status === 0),
      'readyz went back to 200',
    );
    assert.deepEqual(await exited, [0, null]);
    assert.equal(fs.readFileSync(path.join(root, 'during.bin'), 'utf8'), 'first half second half');
  });

  it('refuses a non-loopback admin address without --admin-public, and a malformed one, in one line', async (t) => {
    const root = tempDir();
    t.after(() => removeDir(root));
    for (const [args, message] of [
      [['--admin-address', '0.0.0.0:9100'], /--admin-address 0\.0\.0\.0:9100 is not a loopback address; add --admin-public/],
      [['--admin-address', 'localhost'], /--admin-address must be HOST:PORT/],
      [['--admin-address', '127.0.0.1:70000'], /--admin-address port must be between 0 and 65535/],
      [['--admin-address', '127.0.0.1:0', '--drain-delay', 'soon'], /--drain-delay must be a whole number/],
    ] as const) {
      const result = await run(process.execPath, [CLI, 'serve', root, '--port', '0', ...args], { timeoutMs: 20_000 });
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });
});

function pick(record: Record<string, number>, pattern: RegExp): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => pattern.test(key)));
}
