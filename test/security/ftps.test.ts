/**
 * FTPS (RFC 4217) with real clients: curl (explicit and implicit), lftp and
 * Python's ftplib, uploads and downloads compared by SHA-256; PROT P data
 * connections that must resume the control connection's TLS session; and
 * the refusals: USER before AUTH TLS with --tls-required, CCC, TLS below 1.2,
 * AUTH on a server without TLS.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tls from 'node:tls';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { randomFile, sha256File } from '../helpers/files.js';
import { run } from '../helpers/processes.js';
import type { RunningServer } from '../helpers/server.js';
import {
  HELLO,
  greeted,
  inSession,
  openExplicitTls,
  passiveTls,
  receiveAll,
  tlsArgs,
  useHostileServer,
  watchOutput,
  within,
  type HostileFixture,
  type TlsControl,
} from './support.js';

const FILE_BYTES = 3 * 1024 * 1024 + 17;

const fx = useHostileServer({ args: (sandbox) => [...tlsArgs(sandbox.config), '--implicit-tls-port', '0', '--log-level', 'debug'] });

/** The implicit FTPS port, from the start line. */
const implicitPort = (server: RunningServer) => Number(/ftps:\/\/[^\s:]+:(\d+)/.exec(server.output())![1]);

/** A random file to upload, in the sandbox's config directory (not served), and its SHA-256. */
function localFile(f: HostileFixture, name: string): { file: string; sha256: string } {
  const file = path.join(f.sandbox.config, name);
  return { file, sha256: randomFile(file, FILE_BYTES) };
}

/**
 * Runs `client` (which uploads `name` and downloads it again to a local
 * file it is given) and checks: it succeeded, both copies have the
 * original's SHA-256, and it sent PROT P, so the data went over TLS.
 */
async function roundTrip(f: HostileFixture, name: string, client: (upload: string, download: string) => Promise<void>): Promise<void> {
  const { file, sha256 } = localFile(f, `${name}.up`);
  const download = path.join(f.sandbox.config, `${name}.down`);
  const protected_ = watchOutput(f.server, 'command=PROT P');
  await client(file, download);
  await within(10_000, 'the server logging PROT P', protected_());
  assert.equal(await sha256File(path.join(f.sandbox.root, name)), sha256, 'the upload arrived changed');
  assert.equal(await sha256File(download), sha256, 'the download arrived changed');
}

const curl = async (...args: string[]) => {
  const result = await run('curl', ['--silent', '--show-error', '--max-time', '30', '--insecure', '--user', 'anonymous:guest@', ...args]);
  assert.equal(result.code, 0, `curl ${args.join(' ')}: ${result.stderr}`);
};

/**
 * Python's ftplib: stock FTP_TLS, or a subclass that offers the control
 * connection's TLS session on every data connection. Prints "ok", or on a
 * failed transfer "failed: ERROR" and the server's reply to it, exit 1.
 */
const FTPLIB_CLIENT = `
import ftplib, ssl, sys

class ResumingFTP_TLS(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size

host, port, kind, name, upload, download = sys.argv[1:7]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
ftp = (ResumingFTP_TLS if kind == 'resuming' else ftplib.FTP_TLS)(context=context, timeout=15)
ftp.connect(host, int(port))
ftp.login('anonymous', 'guest@')
ftp.prot_p()
try:
    with open(upload, 'rb') as f:
        ftp.storbinary('STOR ' + name, f)
    with open(download, 'wb') as f:
        ftp.retrbinary('RETR ' + name, f.write)
except OSError as err:
    print('failed:', err)
    try:
        print('reply:', ftp.getresp())
    except ftplib.Error as reply:
        print('reply:', reply)
    sys.exit(1)
ftp.quit()
print('ok')
`;

const ftplib = (server: RunningServer, kind: 'stock' | 'resuming', name: string, upload: string, download: string) =>
  run('python3', ['-c', FTPLIB_CLIENT, server.host, String(server.port), kind, name, upload, download], { timeoutMs: 60_000 });

describe('real clients over TLS, with session reuse required (the default)', () => {
  it('prints both the ftp:// and the ftps:// URL on its start line', () => {
    const first = fx.server.output().split('\n')[0];
    assert.match(first, new RegExp(`ftp://127\\.0\\.0\\.1:${fx.server.port} and ftps://127\\.0\\.0\\.1:\\d+`));
  });

  it('curl --ssl-reqd (explicit FTPS) uploads and downloads byte for byte', async () => {
    await roundTrip(fx, 'curl-explicit.bin', async (upload, download) => {
      await curl('--ssl-reqd', '-T', upload, `${fx.server.url}/curl-explicit.bin`);
      await curl('--ssl-reqd', '-o', download, `${fx.server.url}/curl-explicit.bin`);
    });
    await fx.assertUnharmed();
  });

  it('curl with an ftps:// URL (implicit FTPS) uploads and downloads byte for byte', async () => {
    const url = `ftps://127.0.0.1:${implicitPort(fx.server)}/curl-implicit.bin`;
    await roundTrip(fx, 'curl-implicit.bin', async (upload, download) => {
      await curl('-T', upload, url);
      await curl('-o', download, url);
    });
    await fx.assertUnharmed();
  });

  it('lftp with ftp:ssl-force uploads and downloads byte for byte', async () => {
    await roundTrip(fx, 'lftp.bin', async (upload, download) => {
      const settings =
        'set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes';
      const script = `${settings}; open -u anonymous,guest@ ftp://127.0.0.1:${fx.server.port}; put ${upload} -o lftp.bin; get lftp.bin -o ${download}`;
      const result = await run('lftp', ['-c', script], { timeoutMs: 60_000 });
      assert.equal(result.code, 0, `lftp: ${result.stderr}`);
    });
    await fx.assertUnharmed();
  });

  it("ftplib's FTP_TLS resuming the control connection's session uploads and downloads byte for byte", async () => {
    await roundTrip(fx, 'ftplib.bin', async (upload, download) => {
      const result = await ftplib(fx.server, 'resuming', 'ftplib.bin', upload, download);
      assert.equal(result.stdout.trim(), 'ok', result.stdout + result.stderr);
    });
    await fx.assertUnharmed();
  });

  it('stock ftplib FTP_TLS, which starts a new TLS session per data connection, gets 425 and transfers nothing', async () => {
    const { file } = localFile(fx, 'stock.up');
    const result = await ftplib(fx.server, 'stock', 'stock.bin', file, path.join(fx.sandbox.config, 'stock.down'));
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^reply: 425 /m);
    assert.equal(fs.existsSync(path.join(fx.sandbox.root, 'stock.bin')), false);
    await fx.assertUnharmed();
  });
});

/** Logs a TLS control connection in anonymously and asks for protected data (PBSZ 0, PROT P). */
async function protectedSession(port: number): Promise<TlsControl> {
  const control = await openExplicitTls(port);
  await control.conn.expect('USER anonymous', 331);
  await control.conn.expect('PASS guest@', 230);
  await control.conn.expect('PBSZ 0', 200);
  await control.conn.expect('PROT P', 200);
  await control.conn.expect('TYPE I', 200);
  return control;
}

describe('PROT P data connections', () => {
  it("are served when they resume their own control connection's TLS session", async () => {
    await inSession(protectedSession(fx.server.port), async (own) => {
      const data = await passiveTls(own, own.session());
      assert.equal((await own.conn.send('RETR hello.txt')).code, 150);
      assert.equal((await receiveAll(data)).toString(), HELLO);
      assert.equal((await own.conn.read()).code, 226);
    });
    await fx.assertUnharmed();
  });

  it("are refused with 425 when they resume another session's TLS session", async () => {
    await inSession(protectedSession(fx.server.port), (victim) =>
      inSession(protectedSession(fx.server.port), async (thief) => {
        // The session tickets of one control connection mean nothing to another: each has its own keys.
        const data = await passiveTls(thief, victim.session());
        assert.equal((await thief.conn.send('RETR hello.txt')).code, 150);
        assert.equal((await receiveAll(data)).length, 0);
        assert.equal((await thief.conn.read()).code, 425);
      }),
    );
    await fx.assertUnharmed();
  });
});

describe('refusals', () => {
  it('refuses CCC with 534: the control connection stays encrypted', async () => {
    await inSession(protectedSession(fx.server.port), async ({ conn }) => {
      assert.equal((await conn.send('CCC')).code, 534);
      await conn.expect('NOOP', 200);
    });
    await fx.assertUnharmed();
  });

  it('answers a second AUTH TLS with 503 and goes on serving the session', async () => {
    await inSession(openExplicitTls(fx.server.port), async ({ conn }) => {
      assert.equal((await conn.send('AUTH TLS')).code, 503);
      conn.write('NOOP\r\n');
      assert.equal((await conn.read(5_000)).code, 200);
    });
    await fx.assertUnharmed();
  });

  it('refuses PBSZ and PROT before AUTH TLS with 503', async () => {
    await inSession(ControlConnection.login(fx.server.port), async (conn) => {
      assert.equal((await conn.send('PBSZ 0')).code, 503);
      assert.equal((await conn.send('PROT P')).code, 503);
    });
    await fx.assertUnharmed();
  });

  for (const [version, accepted] of [
    ['TLSv1.1', false],
    ['TLSv1.2', true],
  ] as const) {
    it(`${accepted ? 'accepts' : 'refuses'} a client that speaks at most ${version} on the implicit port`, async () => {
      const socket = tls.connect({
        port: implicitPort(fx.server),
        host: '127.0.0.1',
        rejectUnauthorized: false,
        minVersion: 'TLSv1',
        maxVersion: version,
        // OpenSSL 3 will not even offer TLS 1.1 at its default security level; the server must be the one to say no.
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      const outcome = await within(
        10_000,
        'the TLS handshake',
        new Promise<string | undefined>((resolve) => {
          socket.once('secureConnect', () => resolve('connected'));
          socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
        }),
      );
      socket.destroy();
      assert.equal(outcome, accepted ? 'connected' : 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
      await fx.assertUnharmed();
    });
  }
});

describe('with --no-tls-session-reuse', () => {
  const loose = useHostileServer({ args: (sandbox) => [...tlsArgs(sandbox.config), '--no-tls-session-reuse', '--log-level', 'debug'] });

  it('stock ftplib FTP_TLS uploads and downloads byte for byte', async () => {
    await roundTrip(loose, 'stock.bin', async (upload, download) => {
      const result = await ftplib(loose.server, 'stock', 'stock.bin', upload, download);
      assert.equal(result.stdout.trim(), 'ok', result.stdout + result.stderr);
    });
    await loose.assertUnharmed();
  });
});

describe('with --tls-required', () => {
  const strict = useHostileServer({ args: (sandbox) => [...tlsArgs(sandbox.config), '--tls-required'], normalClient: { tls: true } });

  it('refuses USER and PASS before AUTH TLS with 530', async () => {
    await inSession(greeted(strict.server.port), async (conn) => {
      assert.equal((await conn.send('USER anonymous')).code, 530);
      assert.equal((await conn.send('PASS guest@')).code, 530);
      assert.equal((await conn.send('PWD')).code, 530);
    });
    // The normal client of this server is curl with --ssl-reqd.
    await strict.assertUnharmed();
  });

  it('refuses plain curl, which never sends AUTH TLS, and serves nothing to it', async () => {
    const plain = await run('curl', ['--silent', '--max-time', '30', `${strict.server.url}/hello.txt`]);
    assert.notEqual(plain.code, 0);
    assert.equal(plain.stdout, '');
    await strict.assertUnharmed();
  });
});

describe('without a certificate', () => {
  const plain = useHostileServer();

  it('answers AUTH TLS with 502 and goes on in plaintext', async () => {
    await inSession(greeted(plain.server.port), async (conn) => {
      assert.equal((await conn.send('AUTH TLS')).code, 502);
      await conn.expect('USER anonymous', 331);
      await conn.expect('PASS guest@', 230);
    });
    await plain.assertUnharmed();
  });
});
