/**
 * Path confinement against the real server: every command that takes a path,
 * fed every way of spelling "outside the root" that other servers fell for.
 * Each test asserts the reply, that nothing beside the root was read,
 * created or changed, and that a normal client is still served.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir } from '../helpers/files.js';
import { SECRET_SIZE, assertNoSecret, createSandbox, inSession, snapshotBesideRoot, useHostileServer, type Sandbox } from './support.js';

const fx = useHostileServer();

interface Escape {
  readonly name: string;
  /** The path of `entry` inside the sentinel directory (of the directory itself without one), spelled this way. */
  path(sandbox: Sandbox, entry?: string): string;
  /** What the server answers: 550 (not there, or not allowed), 501 (not a path it accepts). */
  readonly code: 550 | 501;
}

/** An escape that names the sentinel directory as `dir` and its entries after `separator`. */
const via = (name: string, dir: string | ((sandbox: Sandbox) => string), separator = '/', code: 550 | 501 = 550): Escape => ({
  name,
  code,
  path: (sandbox, entry) => {
    const base = typeof dir === 'string' ? dir : dir(sandbox);
    return entry === undefined ? base : base + separator + entry;
  },
});

const ESCAPES: readonly Escape[] = [
  via('".." from the root', '../root-sentinel'),
  via('".." after a real directory', 'sub/../../root-sentinel'),
  via('an absolute path climbing above "/"', '/../../../root-sentinel'),
  via('"./" and ".." mixed', './.././sub/../../root-sentinel'),
  // ftp-srv CVE-2020-26299: backslashes were not separators to the check but were to Windows.
  via('backslashes', '..\\root-sentinel', '\\'),
  via('backslashes after a real directory', 'sub\\..\\..\\root-sentinel', '\\'),
  via('backslashes and slashes mixed', 'sub\\../..\\root-sentinel', '/'),
  // Percent-encoding is an HTTP convention: to FTP "%2e%2e" is a name of six characters.
  via('"%2e%2e", a name and not an escape', '%2e%2e/root-sentinel'),
  via('"%2e%2e%2f" with an encoded slash', '%2e%2e%2froot-sentinel'),
  via('"....//", what is left after a naive "../" filter', '....//root-sentinel'),
  via('fullwidth dots, which NFKC would turn into ".."', '\uff0e\uff0e/root-sentinel'),
  via("the sentinel's path on the host", (sandbox) => sandbox.sentinel),
  via('a symlink inside the root to a directory outside', 'dir-out'),
  via('a NUL byte cutting the path short', 'sub\0/../../root-sentinel', '/', 501),
  via('a path longer than any file system takes', `${'a/'.repeat(2100)}../../root-sentinel`, '/', 501),
];

interface Outcome {
  readonly code: number;
  /** Everything the server sent back: replies and data. */
  readonly received: Array<string | Buffer>;
}

interface PathCommand {
  readonly verb: string;
  /** Runs the command on `target` (which gives the path of an entry of the sentinel, or of the sentinel itself). */
  run(conn: ControlConnection, target: (entry?: string) => string): Promise<Outcome>;
}

const reply = async (conn: ControlConnection, line: string): Promise<Outcome> => {
  const r = await conn.send(line);
  return { code: r.code, received: [r.text] };
};
const download = async (conn: ControlConnection, line: string): Promise<Outcome> => {
  const r = await conn.receive(line);
  return { code: r.final.code, received: [r.preliminary.text, r.data, r.final.text] };
};
const upload = async (conn: ControlConnection, line: string): Promise<Outcome> => {
  const r = await conn.sendData(line, Buffer.from('planted by an attacker\n'));
  return { code: r.final.code, received: [r.preliminary.text, r.final.text] };
};

const COMMANDS: readonly PathCommand[] = [
  { verb: 'RETR', run: (c, t) => download(c, `RETR ${t('secret.txt')}`) },
  { verb: 'STOR', run: (c, t) => upload(c, `STOR ${t('secret.txt')}`) },
  { verb: 'APPE', run: (c, t) => upload(c, `APPE ${t('secret.txt')}`) },
  { verb: 'STOU', run: (c, t) => upload(c, `STOU ${t('planted.txt')}`) },
  { verb: 'DELE', run: (c, t) => reply(c, `DELE ${t('secret.txt')}`) },
  { verb: 'MKD', run: (c, t) => reply(c, `MKD ${t('planted')}`) },
  { verb: 'RMD', run: (c, t) => reply(c, `RMD ${t('nested')}`) },
  { verb: 'RNFR', run: (c, t) => reply(c, `RNFR ${t('secret.txt')}`) },
  {
    verb: 'RNTO',
    run: async (c, t) => {
      // A file of its own each time, so that a rename that went through cannot upset the next test.
      await c.sendData('STOR rename-me.txt', Buffer.from('to be renamed\n'));
      await c.expect('RNFR rename-me.txt', 350);
      return reply(c, `RNTO ${t('secret.txt')}`);
    },
  },
  {
    verb: 'CWD',
    run: async (c, t) => {
      const outcome = await reply(c, `CWD ${t()}`);
      // A refused CWD must not have moved the working directory either.
      assert.match((await c.expect('PWD', 257)).text, /^"\/"/);
      return outcome;
    },
  },
  { verb: 'LIST', run: (c, t) => download(c, `LIST ${t()}`) },
  { verb: 'NLST', run: (c, t) => download(c, `NLST ${t()}`) },
  { verb: 'MLSD', run: (c, t) => download(c, `MLSD ${t()}`) },
  { verb: 'STAT', run: (c, t) => reply(c, `STAT ${t()}`) },
  {
    verb: 'SIZE',
    run: async (c, t) => {
      await c.expect('TYPE I', 200);
      return reply(c, `SIZE ${t('secret.txt')}`);
    },
  },
  { verb: 'MDTM', run: (c, t) => reply(c, `MDTM ${t('secret.txt')}`) },
  { verb: 'MDTM (setting the time)', run: (c, t) => reply(c, `MDTM 20000101000000 ${t('secret.txt')}`) },
  { verb: 'MFMT', run: (c, t) => reply(c, `MFMT 20000101000000 ${t('secret.txt')}`) },
  { verb: 'MLST', run: (c, t) => reply(c, `MLST ${t('secret.txt')}`) },
  { verb: 'SITE CHMOD', run: (c, t) => reply(c, `SITE CHMOD 777 ${t('secret.txt')}`) },
  { verb: 'HASH', run: (c, t) => reply(c, `HASH ${t('secret.txt')}`) },
  { verb: 'XSHA256', run: (c, t) => reply(c, `XSHA256 ${t('secret.txt')}`) },
];

/** Logs in anonymously (with write access: the default on loopback) and runs `attack`. */
const asAnonymous = <T>(attack: (conn: ControlConnection) => Promise<T>): Promise<T> => inSession(ControlConnection.login(fx.server.port), attack);

describe('every path command, every spelling of "outside the root"', () => {
  for (const command of COMMANDS) {
    for (const escape of ESCAPES) {
      it(`${command.verb} through ${escape.name} answers ${escape.code}`, async () => {
        const outcome = await asAnonymous((conn) => command.run(conn, (entry) => escape.path(fx.sandbox, entry)));
        assert.equal(outcome.code, escape.code);
        assertNoSecret(...outcome.received);
        await fx.assertUnharmed();
      });
    }
  }
});

describe('a symlink inside the root to a file outside', () => {
  for (const command of COMMANDS.filter((c) => !['DELE', 'RNFR', 'RNTO', 'RMD', 'MKD', 'STOU'].includes(c.verb))) {
    it(`is refused by ${command.verb} with 550`, async () => {
      // Every command gets the link's own name, whether it takes a file or a directory to list.
      const outcome = await asAnonymous((conn) => command.run(conn, () => 'file-out'));
      assert.equal(outcome.code, 550);
      assertNoSecret(...outcome.received);
      await fx.assertUnharmed();
    });
  }

  it("is listed, but with its own size and type, never its target's", async () => {
    const listing = await asAnonymous(async (conn) => (await conn.receive('LIST')).data.toString());
    const line = listing.split('\r\n').find((l) => l.endsWith(' file-out'));
    assert.ok(line, `file-out is not listed:\n${listing}`);
    assert.match(line, /^l/);
    assert.doesNotMatch(line, new RegExp(`\\b${SECRET_SIZE}\\b`));
    await fx.assertUnharmed();
  });

  it('is deleted itself by DELE, and what it points to survives', async () => {
    const link = path.join(fx.sandbox.root, 'doomed-link');
    fs.symlinkSync('../root-sentinel/secret.txt', link);
    await asAnonymous((conn) => conn.expect('DELE doomed-link', 250));
    assert.equal(fs.existsSync(link), false);
    await fx.assertUnharmed();
  });
});

describe('".." and backslashes stay inside the root', () => {
  it('stores "STOR ../escaped.txt" in the root, not beside it', async () => {
    await asAnonymous(async (conn) => assert.equal((await conn.sendData('STOR ../escaped.txt', Buffer.from('x'))).final.code, 226));
    assert.ok(fs.existsSync(path.join(fx.sandbox.root, 'escaped.txt')));
    fs.rmSync(path.join(fx.sandbox.root, 'escaped.txt'));
    await fx.assertUnharmed();
  });

  it('treats backslashes as separators: "MKD sub\\..\\..\\made" makes /made in the root', async () => {
    await asAnonymous((conn) => conn.expect('MKD sub\\..\\..\\made', 257));
    assert.ok(fs.statSync(path.join(fx.sandbox.root, 'made')).isDirectory());
    fs.rmdirSync(path.join(fx.sandbox.root, 'made'));
    await fx.assertUnharmed();
  });

  it('takes "%2e%2e" literally: MKD makes a directory of that name in the root', async () => {
    await asAnonymous((conn) => conn.expect('MKD %2e%2e', 257));
    assert.ok(fs.statSync(path.join(fx.sandbox.root, '%2e%2e')).isDirectory());
    fs.rmdirSync(path.join(fx.sandbox.root, '%2e%2e'));
    await fx.assertUnharmed();
  });

  it('keeps "CWD .." and CDUP at the root at "/"', async () => {
    await asAnonymous(async (conn) => {
      await conn.expect('CWD ..', 250);
      await conn.expect('CDUP', 250);
      assert.match((await conn.expect('PWD', 257)).text, /^"\/"/);
      assert.ok((await conn.receive('NLST')).data.toString().split('\r\n').includes('hello.txt'));
    });
    await fx.assertUnharmed();
  });
});

describe('names that could forge protocol lines', () => {
  it('leaves names with CR or LF out of LIST, NLST and MLSD', async () => {
    const dir = path.join(fx.sandbox.root, 'forgery');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'plain.txt'), 'plain');
    fs.writeFileSync(path.join(dir, 'evil\r\n-rw-r--r-- 1 root root 1 Jan 01 00:00 forged.txt'), '');
    fs.writeFileSync(path.join(dir, 'evil\nforged-too.txt'), '');
    const listings = await asAnonymous(async (conn) => {
      const texts = [];
      for (const line of ['LIST forgery', 'NLST forgery', 'MLSD forgery']) texts.push((await conn.receive(line)).data.toString());
      return texts;
    });
    fs.rmSync(dir, { recursive: true });
    for (const listing of listings) {
      assert.doesNotMatch(listing, /forged/);
      assert.match(listing, /plain\.txt/);
    }
    await fx.assertUnharmed();
  });

  it('answers a CR inside an argument with one reply line, so the next reply stays in step', async () => {
    await asAnonymous(async (conn) => {
      const made = await conn.expect('MKD x\r226 forged', 257);
      assert.equal(made.lines.length, 1);
      await conn.expect('NOOP', 200);
      await conn.expect('RMD x\r226 forged', 250);
    });
    await fx.assertUnharmed();
  });
});

// Without this, every "nothing was read" above would hold vacuously on a file system that keeps no access times.
describe('the sentinel snapshot', () => {
  it('changes when a file beside the root is only read', () => {
    const sandbox = createSandbox();
    try {
      const before = snapshotBesideRoot(sandbox);
      fs.readFileSync(path.join(sandbox.sentinel, 'secret.txt'));
      assert.notDeepEqual(snapshotBesideRoot(sandbox), before);
    } finally {
      removeDir(sandbox.base);
    }
  });
});
