/**
 * `sockftp connect` with a piped session, beyond one plain file: whole trees
 * (upload -r, download -r), wildcards, a download resumed after the client
 * was killed, --verify (the server's HASH here; test/interop for servers
 * without it), and the local commands, open and close.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { digestTree, nestedTree, writeTree } from '../interop/support.js';

/** No ~/.netrc of whoever runs the tests may change the login. */
const ENV = { ...process.env, NETRC: '/nonexistent/.netrc' };

const lines = (out: string) => out.split('\n').filter(Boolean);

describe('trees, wildcards, resume and --verify against sockftp', () => {
  const f = useServer();
  const client = (script: string[], cwd = f.work, ...args: string[]) =>
    run(process.execPath, [CLI, 'connect', `127.0.0.1:${f.server.port}`, ...args], { cwd, env: ENV, input: script.join('\n') + '\n' });

  it('uploads a tree of 300 files with upload -r and downloads it back with download -r, byte for byte', async () => {
    const spec = nestedTree(300);
    const digest = writeTree(path.join(f.work, 'tree'), spec);
    const bytes = Object.values(spec).reduce((a, b) => a + b, 0);
    const result = await client(['upload -r tree', 'download -r tree copy', 'byebye']);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(lines(result.stdout).slice(1), [`Uploaded 300 files (${bytes} bytes) to tree`, `Downloaded 300 files (${bytes} bytes) into copy`, 'Bye']);
    assert.deepEqual(digestTree(path.join(f.root, 'tree')), digest);
    assert.deepEqual(digestTree(path.join(f.work, 'copy')), digest);
    removeDir(path.join(f.root, 'tree'));
    removeDir(path.join(f.work, 'tree'));
    removeDir(path.join(f.work, 'copy'));
  });

  it('keeps the no-clobber rule for each file of a tree, and replaces with -f', async () => {
    writeTree(path.join(f.work, 'site'), { 'index.html': 10, 'css/a.css': 20 });
    fs.mkdirSync(path.join(f.root, 'site'));
    fs.writeFileSync(path.join(f.root, 'site', 'index.html'), 'old');
    fs.mkdirSync(path.join(f.work, 'copy'));
    fs.writeFileSync(path.join(f.work, 'copy', 'a.css'), 'mine');
    const result = await client(['upload -r site', 'upload -r -f site', 'download -r site/css copy', 'byebye']);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(lines(result.stdout).slice(1), [
      'Uploaded as site/index_1.html (10 bytes): site/index.html already exists',
      'Uploaded 2 files (30 bytes) to site',
      'Uploaded 2 files (30 bytes) to site',
      `Downloaded as ${path.join('copy', 'a_1.css')} (20 bytes): ${path.join('copy', 'a.css')} already exists here`,
      'Downloaded 1 file (20 bytes) into copy',
      'Bye',
    ]);
    assert.deepEqual(digestTree(path.join(f.root, 'site')), {
      ...digestTree(path.join(f.work, 'site')),
      'index_1.html': digestTree(path.join(f.work, 'site'))['index.html'],
    });
    assert.equal(fs.readFileSync(path.join(f.work, 'copy', 'a.css'), 'utf8'), 'mine');
    removeDir(path.join(f.root, 'site'));
    removeDir(path.join(f.work, 'site'));
    removeDir(path.join(f.work, 'copy'));
  });

  it('downloads, uploads and removes what a wildcard matches, and says when nothing does', async () => {
    for (const name of ['a.log', 'b.log', 'c.txt', '.hidden.log']) fs.writeFileSync(path.join(f.root, name), name);
    const local = tempDir();
    fs.mkdirSync(path.join(local, 'got'));
    fs.writeFileSync(path.join(local, 'x.txt'), 'x');
    fs.writeFileSync(path.join(local, 'y.txt'), 'yy');
    const result = await client(['download *.log got', 'rm *.log', 'mkdir up', 'upload *.txt up', 'download *.zip', 'rm *.zip', 'byebye'], local);
    assert.equal(result.code, 1, result.stdout);
    assert.deepEqual(lines(result.stdout).slice(1), [
      `Downloaded ${path.join('got', 'a.log')} (5 bytes)`,
      `Downloaded ${path.join('got', 'b.log')} (5 bytes)`,
      'Deleted a.log',
      'Deleted b.log',
      'Created directory up',
      'Uploaded x.txt (1 bytes)',
      'Uploaded y.txt (2 bytes)',
      'No file matches *.zip',
      'File not found: *.zip',
      'Bye',
    ]);
    assert.deepEqual(fs.readdirSync(path.join(local, 'got')).sort(), ['a.log', 'b.log']);
    assert.deepEqual(fs.readdirSync(f.root).sort(), ['.hidden.log', 'c.txt', 'up']);
    assert.deepEqual(fs.readdirSync(path.join(f.root, 'up')).sort(), ['x.txt', 'y.txt']);
    removeDir(local);
    for (const name of fs.readdirSync(f.root)) removeDir(path.join(f.root, name));
  });

  it('resumes with download -c a download cut by killing the client', async (t) => {
    const size = 128 * MiB;
    const sum = randomFile(path.join(f.root, 'big.bin'), size);
    const local = tempDir();
    const part = path.join(local, 'big.bin.part');
    const child = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${f.server.port}`], { cwd: local, env: ENV, stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = once(child, 'exit');
    t.after(() => {
      child.kill('SIGKILL');
      return exited;
    });
    child.stdin.write('download big.bin\n');
    // The download is cut once some of it is on disk.
    await eventually(() => (fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0) > 0, { what: 'the first bytes in big.bin.part', timeoutMs: 15_000 });
    // The server is frozen while the client dies, so the cut is surely mid-file.
    const server = f.server.process.pid!;
    process.kill(server, 'SIGSTOP');
    try {
      child.kill('SIGKILL');
      await exited;
    } finally {
      process.kill(server, 'SIGCONT');
    }
    const cut = fs.statSync(part).size;
    assert.ok(cut > 0 && cut < size, `cut at ${cut} bytes`);
    const result = await client(['download -c big.bin', 'byebye'], local);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(lines(result.stdout)[1], `Downloaded big.bin (${size - cut} bytes)`);
    assert.deepEqual(fs.readdirSync(local), ['big.bin']);
    assert.equal(await sha256File(path.join(local, 'big.bin')), sum);
    removeDir(local);
    fs.rmSync(path.join(f.root, 'big.bin'));
  });

  it("verifies transfers with the server's HASH, and catches a file changed on the server", async () => {
    randomFile(path.join(f.root, 'v.bin'), MiB);
    const local = tempDir();
    randomFile(path.join(local, 'w.bin'), MiB);
    // A download cut in the middle; then the server's copy changes in the part already here.
    fs.writeFileSync(path.join(local, 'v.bin.part'), fs.readFileSync(path.join(f.root, 'v.bin')).subarray(0, MiB / 2));
    const result = await client(['upload --verify w.bin', 'download --verify v.bin v-copy.bin', 'byebye'], local);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(lines(result.stdout).slice(1), [
      'Uploaded w.bin (1048576 bytes)',
      "Verified w.bin: SHA-256 matches (the server's HASH)",
      'Downloaded v-copy.bin (1048576 bytes)',
      "Verified v-copy.bin: SHA-256 matches (the server's HASH)",
      'Bye',
    ]);
    const changed = fs.readFileSync(path.join(f.root, 'v.bin'));
    changed[1000] ^= 0xff;
    fs.writeFileSync(path.join(f.root, 'v.bin'), changed);
    const resumed = await client(['download -c v.bin', 'byebye'], local, '--verify');
    assert.equal(resumed.code, 1, resumed.stdout);
    const out = lines(resumed.stdout);
    assert.equal(out[1], `Downloaded v.bin (${MiB / 2} bytes)`);
    assert.match(out[2], /^Error: v\.bin: SHA-256 differs \(the server's HASH\): [0-9a-f]{16}\.\.\. here, [0-9a-f]{16}\.\.\. there$/);
    removeDir(local);
    fs.rmSync(path.join(f.root, 'v.bin'));
    fs.rmSync(path.join(f.root, 'w.bin'));
  });

  it('runs lls, lcd and lpwd, and close and open inside the shell', async () => {
    const local = tempDir();
    fs.mkdirSync(path.join(local, 'sub'));
    fs.writeFileSync(path.join(local, 'sub', 'note.txt'), 'hello');
    const script = ['lpwd', 'lcd sub', 'lls', 'lcd nowhere', 'close', 'pwd', `open ftp://127.0.0.1:${f.server.port}`, 'pwd', 'byebye'];
    const result = await client(script, local);
    assert.equal(result.code, 1, result.stdout);
    const out = lines(result.stdout);
    assert.deepEqual(out.slice(1, 3), [local, `Local directory now ${path.join(local, 'sub')}`]);
    assert.match(out[3], /^ {11}5 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}note\.txt$/);
    assert.deepEqual(out.slice(4), [
      'Error: nowhere: no such local file',
      'Connection closed',
      'Not connected (connme opens a new connection)',
      `Connected to 127.0.0.1:${f.server.port}`,
      '/',
      'Bye',
    ]);
    removeDir(local);
  });
});
