/**
 * Our client, `sockftp connect` with a piped script, against other FTP
 * servers: pyftpdlib (anonymous) and vsftpd (a local user, with --user and
 * SOCKFTP_PASSWORD). Every shell command in English and with --lang id:
 * every output line, the exit code, and the SHA-256 of what was transferred;
 * and --verify, which here (no HASH) downloads again and hashes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { startPyftpdlib, startVsftpd, type Peer, type PeerStart } from '../helpers/peers.js';
import { run, type RunResult } from '../helpers/processes.js';

/** Not a whole number of the client's 1 MiB file chunks. */
const SIZE = 2 * MiB + 12_345;
/** Where the cut download of the resume test stops. */
const CUT = MiB + 7;

const LANGS = ['en', 'id'] as const;
type Lang = (typeof LANGS)[number];

/** An output line as printed, or a pattern for a line that carries the server's own words. */
type Expected = string | RegExp;
/** One output line: the same in both languages, or [English, Indonesian]. */
type Line = Expected | readonly [Expected, Expected];

interface PeerCase {
  readonly name: string;
  start(root: string): Promise<PeerStart>;
  /** The time column of `ls`, as a pattern. */
  readonly listedTime: string;
}

const PEERS: readonly PeerCase[] = [
  // MLSD gives exact times, which ls shows in local time.
  { name: 'pyftpdlib', start: (root) => startPyftpdlib(root), listedTime: '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d' },
  // No MLSD; ls shows the LIST line's own time text ("Nov 25 17:16"), padded to the column.
  { name: 'vsftpd', start: (root) => startVsftpd(root), listedTime: '\\w{3} [ \\d]\\d [ \\d]\\d:?\\d\\d {4}' },
];

const HELP: readonly Line[] = [
  ['Commands:', 'Perintah:'],
  helpRow('ls [DIR]', 'list a remote directory', 'tampilkan isi direktori di server'),
  helpRow('rm FILE', 'delete a remote file (or *.tmp)', 'hapus file di server (atau *.tmp)'),
  helpRow(
    'download [-f|-c] [-r] [--verify] FILE [LOCAL]',
    'download a file (or -r a tree, or *.log); keeps an existing local file (-f replaces it, -c resumes it)',
    'unduh file (atau -r direktori, atau *.log); file lokal yang sudah ada tidak ditimpa (-f menimpa, -c melanjutkan)',
  ),
  helpRow(
    'upload [-f|-c] [-r] [--verify] FILE [REMOTE]',
    'upload a file (or -r a tree, or *.txt); never replaces a remote file (-f replaces it, -c resumes it)',
    'unggah file (atau -r direktori, atau *.txt); file di server tidak ditimpa (-f menimpa, -c melanjutkan)',
  ),
  helpRow('size FILE', 'size of a remote file in MB and bytes', 'ukuran file di server dalam MB dan byte'),
  helpRow('byebye', 'close the connection and quit', 'tutup koneksi dan keluar'),
  helpRow('connme', 'close the connection and open a new one', 'tutup koneksi dan buka koneksi baru'),
  helpRow('cd DIR', 'change the remote directory', 'pindah direktori di server'),
  helpRow('pwd', 'print the remote directory', 'tampilkan direktori di server'),
  helpRow('mkdir DIR', 'make a remote directory', 'buat direktori di server'),
  helpRow('rmdir DIR', 'remove an empty remote directory', 'hapus direktori kosong di server'),
  helpRow('mv FROM TO', 'rename or move a remote file', 'ganti nama atau pindahkan file di server'),
  helpRow('lls [DIR]', 'list a local directory', 'tampilkan isi direktori lokal'),
  helpRow('lcd [DIR]', 'change the local directory (default: home)', 'pindah direktori lokal (bawaan: home)'),
  helpRow('lpwd', 'print the local directory', 'tampilkan direktori lokal'),
  helpRow('open HOST[:PORT]|URL', 'connect to another server (ftp://user@host:port, ftps://...)', 'sambung ke server lain (ftp://user@host:port, ftps://...)'),
  helpRow('close', 'close the connection and stay in the shell', 'tutup koneksi dan tetap di shell'),
  helpRow('help', 'this list', 'daftar ini'),
];

const BYE: Line = ['Bye', 'Sampai Jumpa'];

for (const peerCase of PEERS) {
  describe(`the client against ${peerCase.name}`, () => {
    let root: string;
    let work: string;
    let sum: string;
    let peer: Peer | null = null;
    let skipReason = '';

    before(async () => {
      root = tempDir();
      work = tempDir();
      sum = randomFile(path.join(work, 'a.bin'), SIZE);
      const started = await peerCase.start(root);
      peer = started.peer;
      skipReason = started.reason ?? '';
    });

    after(async () => {
      await peer?.stop();
      removeDir(root);
      removeDir(work);
    });

    // Each test starts from an empty served root and a work directory holding only a.bin.
    beforeEach(() => {
      for (const name of fs.readdirSync(root)) removeDir(path.join(root, name));
      for (const name of fs.readdirSync(work)) if (name !== 'a.bin') removeDir(path.join(work, name));
    });

    /** An `ls` line: the size (or <DIR>) right-aligned in 12 columns, the time column, the name. */
    const listed = (name: string, size = String(SIZE)) => new RegExp(`^${escape(size.padStart(12))}  ${peerCase.listedTime}  ${escape(name)}$`);
    const connected = (p: Peer): Line => [`Connected to ${p.host}:${p.port}`, `Tersambung ke ${p.host}:${p.port}`];

    // Neither server has HASH, so --verify downloads the remote file again and hashes it here.
    it('verifies an upload and a download by hashing a second download, and says so', async (t) => {
      if (!peer) return t.skip(skipReason);
      const how = 'downloaded again and hashed here: the server has no HASH';
      assertOutput(await session(peer, work, 'en', ['upload --verify a.bin', 'download --verify a.bin b.bin', 'byebye']), 'en', 0, [
        connected(peer),
        `Uploaded a.bin (${SIZE} bytes)`,
        `Verified a.bin: SHA-256 matches (${how})`,
        `Downloaded b.bin (${SIZE} bytes)`,
        `Verified b.bin: SHA-256 matches (${how})`,
        BYE,
      ]);
    });

    it('catches with --verify a file that changed on the server under a resumed download (id)', async (t) => {
      if (!peer) return t.skip(skipReason);
      const changed = fs.readFileSync(path.join(work, 'a.bin'));
      changed[7] ^= 0xff;
      fs.writeFileSync(path.join(root, 'a.bin'), changed);
      const local = path.join(work, 'cut');
      fs.mkdirSync(local);
      fs.writeFileSync(path.join(local, 'a.bin.part'), fs.readFileSync(path.join(work, 'a.bin')).subarray(0, CUT));
      assertOutput(await session(peer, local, 'id', ['download -c --verify a.bin', 'byebye']), 'id', 1, [
        connected(peer),
        `File Berhasil Dibuat: a.bin (${SIZE - CUT} byte)`,
        /^Gagal: a\.bin: SHA-256 berbeda \(diunduh ulang dan di-hash di sini: server tidak punya HASH\): [0-9a-f]{16}\.\.\. di sini, [0-9a-f]{16}\.\.\. di server$/,
        BYE,
      ]);
    });

    for (const lang of LANGS) {
      it(`runs the seven original commands: upload twice, download beside a local file, rm of a missing file (${lang})`, async (t) => {
        if (!peer) return t.skip(skipReason);
        const script = [
          'ls',
          'upload a.bin',
          'upload a.bin',
          'ls',
          'size a.bin',
          'download a.bin',
          'rm a_1.bin',
          'rm a_1.bin',
          'size a_1.bin',
          'connme',
          'ls',
          'byebye',
        ];
        assertOutput(await session(peer, work, lang, script), lang, 1, [
          connected(peer),
          ['(empty)', '(kosong)'],
          [`Uploaded a.bin (${SIZE} bytes)`, `File Berhasil Dibuat: a.bin (${SIZE} byte)`],
          [`Uploaded as a_1.bin (${SIZE} bytes): a.bin already exists`, `File Berhasil Dibuat: a_1.bin (${SIZE} byte), karena a.bin sudah ada`],
          listed('a.bin'),
          listed('a_1.bin'),
          [`2.01 MB (${SIZE} bytes)`, `2.01 MB (${SIZE} byte)`],
          [`Downloaded as a_1.bin (${SIZE} bytes): a.bin already exists here`, `File Berhasil Dibuat: a_1.bin (${SIZE} byte), karena a.bin sudah ada`],
          ['Deleted a_1.bin', 'File Berhasil Dihapus'],
          ['File not found: a_1.bin', 'File Tidak Ditemukan'],
          // Each server words this 550 its own way (docs/interop-peers.md).
          [/^Error: 550 \S/, /^Gagal: 550 \S/],
          ['Connection closed', 'Koneksi Ditutup'],
          [`New connection to ${peer.host}:${peer.port}`, 'Koneksi Baru Tersambung'],
          listed('a.bin'),
          BYE,
        ]);
        assert.deepEqual(fs.readdirSync(root), ['a.bin']);
        assert.deepEqual(fs.readdirSync(work).sort(), ['a.bin', 'a_1.bin']);
        for (const file of [path.join(root, 'a.bin'), path.join(work, 'a.bin'), path.join(work, 'a_1.bin')]) {
          assert.equal(await sha256File(file), sum, file);
        }
      });

      it(`keeps directories with pwd, mkdir, cd, mv and rmdir (${lang})`, async (t) => {
        if (!peer) return t.skip(skipReason);
        const docs = path.posix.join(peer.home, 'docs');
        const script = [
          'pwd',
          'mkdir docs',
          'cd docs',
          'pwd',
          'upload a.bin',
          'mv a.bin b.bin',
          'ls',
          'cd ..',
          'mv docs/b.bin c.bin',
          'ls',
          'download c.bin',
          'rm c.bin',
          'rmdir docs',
          'byebye',
        ];
        assertOutput(await session(peer, work, lang, script), lang, 0, [
          connected(peer),
          peer.home,
          ['Created directory docs', 'Direktori Berhasil Dibuat: docs'],
          [`Now in ${docs}`, `Sekarang di ${docs}`],
          docs,
          [`Uploaded a.bin (${SIZE} bytes)`, `File Berhasil Dibuat: a.bin (${SIZE} byte)`],
          ['Renamed a.bin to b.bin', 'File Berhasil Dipindahkan: a.bin -> b.bin'],
          listed('b.bin'),
          [`Now in ${peer.home}`, `Sekarang di ${peer.home}`],
          ['Renamed docs/b.bin to c.bin', 'File Berhasil Dipindahkan: docs/b.bin -> c.bin'],
          listed('c.bin'),
          listed('docs/', '<DIR>'),
          [`Downloaded c.bin (${SIZE} bytes)`, `File Berhasil Dibuat: c.bin (${SIZE} byte)`],
          ['Deleted c.bin', 'File Berhasil Dihapus'],
          ['Removed directory docs', 'Direktori Berhasil Dihapus: docs'],
          BYE,
        ]);
        assert.deepEqual(fs.readdirSync(root), []);
        assert.equal(await sha256File(path.join(work, 'c.bin')), sum);
      });

      it(`resumes a cut download with download -c (${lang})`, async (t) => {
        if (!peer) return t.skip(skipReason);
        fs.copyFileSync(path.join(work, 'a.bin'), path.join(root, 'a.bin'));
        const local = path.join(work, 'cut');
        fs.mkdirSync(local);
        fs.writeFileSync(path.join(local, 'a.bin'), fs.readFileSync(path.join(work, 'a.bin')).subarray(0, CUT));
        assertOutput(await session(peer, local, lang, ['download -c a.bin', 'byebye']), lang, 0, [
          connected(peer),
          [`Downloaded a.bin (${SIZE - CUT} bytes)`, `File Berhasil Dibuat: a.bin (${SIZE - CUT} byte)`],
          BYE,
        ]);
        assert.deepEqual(fs.readdirSync(local), ['a.bin']);
        assert.equal(await sha256File(path.join(local, 'a.bin')), sum);
      });

      it(`prints help (${lang})`, async (t) => {
        if (!peer) return t.skip(skipReason);
        assertOutput(await session(peer, work, lang, ['help', 'byebye']), lang, 0, [connected(peer), ...HELP, BYE]);
      });
    }
  });
}

/** Runs a script through `sockftp connect` in `cwd`, logged in the way the peer wants. */
function session(peer: Peer, cwd: string, lang: Lang, script: readonly string[]): Promise<RunResult> {
  const args = [CLI, 'connect', `${peer.host}:${peer.port}`, ...(lang === 'id' ? ['--lang', 'id'] : [])];
  const env = { ...process.env };
  if (peer.login) {
    args.push('--user', peer.login.user);
    env.SOCKFTP_PASSWORD = peer.login.password;
  }
  return run(process.execPath, args, { cwd, env, input: script.join('\n') + '\n', timeoutMs: 60_000 });
}

/** Checks every stdout line against `lines` in `lang`, an empty stderr, and the exit code. */
function assertOutput(result: RunResult, lang: Lang, code: number, lines: readonly Line[]): void {
  const want = lines.map((line) => (typeof line === 'string' || line instanceof RegExp ? line : line[lang === 'en' ? 0 : 1]));
  // A line that matches its pattern is shown as the pattern, so a failure's diff shows only what differs.
  const got = result.stdout.split('\n').slice(0, -1);
  assert.deepEqual(
    got.map((text, i) => (want[i] instanceof RegExp && want[i].test(text) ? want[i] : text)),
    want,
  );
  assert.equal(result.stderr, '');
  assert.equal(result.code, code, result.stdout);
}

/** A row of `help`: the usage padded to the longest one, then the text in each language. */
function helpRow(usage: string, en: string, id: string): Line {
  const start = `  ${usage.padEnd('download [-f|-c] [-r] [--verify] FILE [LOCAL]'.length)}  `;
  return [start + en, start + id];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
