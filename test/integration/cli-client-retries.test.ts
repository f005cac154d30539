/**
 * Our client's --retries, for real: the server is killed (SIGKILL), or shut
 * down with no grace (421), in the middle of a transfer and a new one is
 * started on the same port, or a relay between them cuts every connection;
 * the client reconnects, logs in again and resumes (REST for a download,
 * APPE for an upload the server kept a part of, from the start when it kept
 * nothing), and the copy is byte for byte the original. Errors about the
 * file itself are not retried, and --retries 0 gives up at once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it, type TestContext } from 'node:test';
import { events, temporaries, waitForEvents } from '../faults/support.js';
import { eventually } from '../helpers/eventually.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';
import { run, type RunResult } from '../helpers/processes.js';
import { startRelay, type Relay } from '../helpers/relay.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const BIG = 200 * MiB;
/** More than the default 3: a server restarted on a loaded machine may take longer than 0.5 + 1 + 2 s to listen. */
const RETRIES = '5';

/** Lets `client` run until `condition` holds, then does `act` to it (a kill, a cut) and waits for the client's end. */
async function cutWhen<T>(client: Promise<RunResult>, what: string, condition: () => boolean, act: () => T | Promise<T>): Promise<[RunResult, T]> {
  await eventually(condition, { what, timeoutMs: 30_000 });
  const acted = await act();
  const result = await client;
  return [result, acted];
}

const sizeOf = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;

/** The commands a server logged (it runs with --log-level debug --log-format json), as sent. */
function commands(server: RunningServer, verb?: string): string[] {
  const all = events(server, 'command').map((e) => String(e.command));
  return verb === undefined ? all : all.filter((c) => c.split(' ')[0] === verb);
}

/** The REST offsets a server was sent. */
function restOffsets(server: RunningServer): number[] {
  return commands(server, 'REST').map((c) => Number(c.split(' ')[1]));
}

/** Our client in `cwd`; killed if still running when `t` ends (a cut that never came). */
function sockftp(t: TestContext, args: string[], cwd: string, input?: string): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { cwd, test: t, ...(input === undefined ? {} : { input }) });
}

const lines = (text: string) => text.split('\n').filter(Boolean);
/** The client's words for a lost connection, either of which a cut may give. */
const CUT_WORDS = /^(retrying \(\d+\/\d+\) after: )(?:connection reset by the server|the server closed the connection)$/;

describe('the client retries a transfer cut by a lost connection', () => {
  let root: string;
  let work: string;
  let port: number;
  let bigSum: string;
  const servers: RunningServer[] = [];

  const serve = async (...args: string[]) => {
    const server = await startServer(root, ['--port', String(port), '--log-level', 'debug', '--log-format', 'json', ...args]);
    servers.push(server);
    return server;
  };

  /** Stops `server` with `signal`, waits for the process to be gone, and starts a new one on the same port. */
  const replace = async (server: RunningServer, signal: NodeJS.Signals, ...args: string[]) => {
    const exited = once(server.process, 'exit');
    server.process.kill(signal);
    await exited;
    return serve(...args);
  };

  before(() => {
    work = tempDir();
    bigSum = randomFile(path.join(work, 'original.bin'), BIG);
  });
  after(() => removeDir(work));
  beforeEach(async () => {
    root = tempDir();
    port = await freePort();
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    removeDir(root);
    for (const name of fs.readdirSync(work)) if (name !== 'original.bin') fs.rmSync(path.join(work, name), { recursive: true });
  });

  const url = (name = '') => `ftp://127.0.0.1:${port}/${name}`;

  it('resumes a download with REST on a new server after the first is killed, and the SHA-256 matches', async (t) => {
    fs.copyFileSync(path.join(work, 'original.bin'), path.join(root, 'big.bin'));
    const first = await serve();
    const client = sockftp(t, ['get', '--retries', RETRIES, '--verify', url('big.bin')], work);
    const [result, second] = await cutWhen(
      client,
      'the first bytes in big.bin.part',
      () => sizeOf(path.join(work, 'big.bin.part')) > 0,
      () => replace(first, 'SIGKILL'),
    );

    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(lines(result.stdout), [`Downloaded big.bin (${BIG} bytes)`, "Verified big.bin: SHA-256 matches (the server's HASH)"]);
    assert.match(result.stderr, /^sockftp: retrying \(1\/5\) after: (the server closed the connection|connection reset by the server)\n/);
    assert.deepEqual(commands(first, 'RETR'), ['RETR big.bin']);
    const offsets = restOffsets(second);
    assert.equal(offsets.length, 1, commands(second).join('\n'));
    assert.ok(offsets[0] > 0 && offsets[0] < BIG, `REST ${offsets[0]}`);
    assert.equal(await sha256File(path.join(work, 'big.bin')), bigSum);
    assert.deepEqual(fs.readdirSync(work).sort(), ['big.bin', 'original.bin']);
  });

  it('starts an upload over when the killed server kept nothing of it, and it is stored once', async (t) => {
    const first = await serve();
    const client = sockftp(t, ['put', '--retries', RETRIES, '--verify', 'original.bin', url('up.bin')], work);
    // The server's atomic STOR writes into a hidden temporary, renamed over the name only when complete.
    const underWay = () => temporaries(root).some((file) => sizeOf(file) > 0);
    const [result, second] = await cutWhen(client, 'the upload under way on the server', underWay, () => replace(first, 'SIGKILL'));

    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(lines(result.stdout), [`Uploaded up.bin (${BIG} bytes)`, "Verified up.bin: SHA-256 matches (the server's HASH)"]);
    assert.match(result.stderr, /^sockftp: retrying \(1\/5\) after: /);
    assert.deepEqual(commands(first, 'STOR'), ['STOR up.bin']);
    // SIZE found nothing, so no APPE or REST: the whole file once more, under the same name.
    assert.deepEqual(commands(second, 'SIZE'), ['SIZE up.bin']);
    assert.deepEqual(commands(second, 'STOR'), ['STOR up.bin']);
    assert.deepEqual([...commands(second, 'APPE'), ...commands(second, 'REST')], []);
    assert.equal(await sha256File(path.join(root, 'up.bin')), bigSum);
    // The killed server's temporary is swept by the new one at start.
    await waitForEvents(second, 'leftovers of an earlier run removed', 1);
    assert.deepEqual(fs.readdirSync(root), ['up.bin']);
  });

  it('retries after a shutdown with no grace (426, then 421) and resumes where it stopped', async (t) => {
    fs.copyFileSync(path.join(work, 'original.bin'), path.join(root, 'big.bin'));
    const first = await serve('--shutdown-grace', '0');
    const client = sockftp(t, ['get', '--retries', RETRIES, url('big.bin'), 'copy.bin'], work);
    const [result, second] = await cutWhen(
      client,
      'the first bytes in copy.bin.part',
      () => sizeOf(path.join(work, 'copy.bin.part')) > 0,
      () => replace(first, 'SIGTERM'),
    );

    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(lines(result.stdout), [`Downloaded copy.bin (${BIG} bytes)`]);
    assert.match(result.stderr, /^sockftp: retrying \(1\/5\) after: /);
    assert.ok((restOffsets(second)[0] ?? 0) > 0, commands(second).join('\n'));
    assert.equal(await sha256File(path.join(work, 'copy.bin')), bigSum);
  });

  it('goes on with the next file of a tree on a new server after a graceful shutdown (a 421 after the running file)', async (t) => {
    fs.mkdirSync(path.join(root, 'tree', 'later'), { recursive: true });
    fs.copyFileSync(path.join(work, 'original.bin'), path.join(root, 'tree', 'big.bin'));
    const sum = randomFile(path.join(root, 'tree', 'later', 'small.bin'), MiB);
    const first = await serve();
    const client = sockftp(t, ['connect', '--retries', RETRIES, `127.0.0.1:${port}`], work, 'download -r tree\nbyebye\n');
    // SIGTERM with the default grace: the running download finishes, then the session is told 421 and closed.
    const [result, second] = await cutWhen(
      client,
      'the first bytes of tree/big.bin',
      () => sizeOf(path.join(work, 'tree', 'big.bin.part')) > 0,
      () => replace(first, 'SIGTERM'),
    );

    assert.equal(result.code, 0, result.stdout + result.stderr);
    const [connected, ...rest] = lines(result.stdout);
    assert.equal(connected, `Connected to 127.0.0.1:${port}`);
    assert.deepEqual(rest.slice(-2), [`Downloaded 2 files (${BIG + MiB} bytes) into tree`, 'Bye']);
    // The 421 follows big.bin's 226: it reaches big.bin's transfer when the 226 came before the last local
    // write, else the next file meets the closed connection. More retries while the new server starts.
    const retries = rest.slice(0, -2);
    assert.match(retries[0], /^retrying \(1\/5\) after: (421 Server shutting down \(tree\/big\.bin\)|the server closed the connection)$/, result.stdout);
    for (const line of retries.slice(1)) assert.match(line, /^retrying \([2-5]\/5\) after: cannot connect to .*: connection refused$/);
    assert.deepEqual(commands(first, 'RETR'), ['RETR tree/big.bin']);
    // big.bin is not fetched again from the start: at most its rest, after REST.
    const again = commands(second, 'RETR');
    assert.equal(again.at(-1), 'RETR tree/later/small.bin');
    assert.equal(again.length - 1, restOffsets(second).filter((n) => n > 0).length, again.join(', '));
    assert.equal(await sha256File(path.join(work, 'tree', 'big.bin')), bigSum);
    assert.equal(await sha256File(path.join(work, 'tree', 'later', 'small.bin')), sum);
  });

  it('gives up at once with --retries 0: one line, exit code 1, and the .part kept for -c', async (t) => {
    fs.copyFileSync(path.join(work, 'original.bin'), path.join(root, 'big.bin'));
    const first = await serve();
    const client = sockftp(t, ['get', '--retries', '0', url('big.bin')], work);
    const [result] = await cutWhen(
      client,
      'the first bytes in big.bin.part',
      () => sizeOf(path.join(work, 'big.bin.part')) > 0,
      () => first.process.kill('SIGKILL'),
    );

    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^sockftp: big\.bin: (the server closed the connection|connection reset by the server)\n$/);
    assert.ok(sizeOf(path.join(work, 'big.bin.part')) > 0);
  });

  it('does not retry a refusal about the file: one RETR, exit code 5', async (t) => {
    const server = await serve();
    const result = await sockftp(t, ['get', '--retries', '3', url('missing.bin')], work);

    assert.equal(result.code, 5, result.stdout + result.stderr);
    assert.match(result.stderr, /^sockftp: 550 .*missing\.bin.*\n$/);
    assert.doesNotMatch(result.stderr, /retrying/);
    assert.deepEqual(commands(server, 'RETR'), ['RETR missing.bin']);
    assert.equal(commands(server, 'USER').length, 1, 'no second login');
  });

  it('refuses a --retries that is not a whole number, before connecting', async (t) => {
    const result = await sockftp(t, ['get', '--retries', 'many', url('big.bin')], work);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'sockftp: --retries must be a whole number, not "many"\n');
  });

  describe('through a relay that cuts every connection', () => {
    let relay: Relay;
    let server: RunningServer;

    beforeEach(async () => {
      server = await serve();
      relay = await startRelay(port);
    });
    afterEach(() => relay.close());

    /** Runs a shell script through the relay and cuts every connection once `condition` holds; the script must still succeed. */
    const shellCut = async (t: TestContext, script: string[], what: string, condition: () => boolean) => {
      const client = sockftp(t, ['connect', `127.0.0.1:${relay.port}`], work, [...script, 'byebye'].join('\n') + '\n');
      const [result] = await cutWhen(client, what, condition, () => relay.cut());
      assert.equal(result.code, 0, result.stdout + result.stderr);
      // The same cut reaches basic-ftp as a reset or as a closed socket, by whichever of the
      // control and data sockets reports first (CI has seen both): the retry is what is tested.
      return lines(result.stdout).map((line) => line.replace(CUT_WORDS, '$1the cut'));
    };

    it('download -r goes on at the file it was on with REST, and does not fetch finished files again', async (t) => {
      // Breadth first: sub/a.bin is done before sub/deep/big.bin starts, and sub/deep/deeper/c.bin waits for it.
      fs.mkdirSync(path.join(root, 'tree', 'sub', 'deep', 'deeper'), { recursive: true });
      randomFile(path.join(root, 'tree', 'sub', 'a.bin'), MiB);
      fs.copyFileSync(path.join(work, 'original.bin'), path.join(root, 'tree', 'sub', 'deep', 'big.bin'));
      randomFile(path.join(root, 'tree', 'sub', 'deep', 'deeper', 'c.bin'), MiB);
      const out = await shellCut(
        t,
        ['cd tree', 'download -r sub'],
        'the first bytes of sub/deep/big.bin',
        () => sizeOf(path.join(work, 'sub', 'deep', 'big.bin.part')) > 0,
      );

      assert.deepEqual(out, [
        `Connected to 127.0.0.1:${relay.port}`,
        'Now in /tree',
        'retrying (1/3) after: the cut',
        `Downloaded 3 files (${BIG + 2 * MiB} bytes) into sub`,
        'Bye',
      ]);
      // The new session went back to /tree before resuming, so the same relative paths worked.
      assert.deepEqual(commands(server, 'CWD'), ['CWD tree', 'CWD /tree']);
      assert.deepEqual(commands(server, 'RETR'), ['RETR sub/a.bin', 'RETR sub/deep/big.bin', 'RETR sub/deep/big.bin', 'RETR sub/deep/deeper/c.bin']);
      const offsets = restOffsets(server);
      assert.equal(offsets.length, 1);
      assert.ok(offsets[0] > 0 && offsets[0] < BIG, `REST ${offsets[0]}`);
      assert.equal(await sha256File(path.join(work, 'sub', 'deep', 'big.bin')), bigSum);
      assert.deepEqual(fs.readdirSync(path.join(work, 'sub'), { recursive: true }).sort(), [
        'a.bin',
        'deep',
        'deep/big.bin',
        'deep/deeper',
        'deep/deeper/c.bin',
      ]);
    });

    it('upload -r starts the cut file over under the same name, and does not send finished files again', async (t) => {
      fs.mkdirSync(path.join(work, 'up', 'deep'), { recursive: true });
      randomFile(path.join(work, 'up', 'a.bin'), MiB);
      fs.copyFileSync(path.join(work, 'original.bin'), path.join(work, 'up', 'deep', 'big.bin'));
      // Temporaries sit beside their target: one in up/deep is big.bin's.
      const deep = path.join(root, 'up', 'deep');
      const underWay = () => fs.existsSync(deep) && temporaries(deep).some((file) => sizeOf(file) > 0);
      const out = await shellCut(t, ['upload -r up'], 'the upload of up/deep/big.bin under way', underWay);

      assert.deepEqual(out, [`Connected to 127.0.0.1:${relay.port}`, 'retrying (1/3) after: the cut', `Uploaded 2 files (${BIG + MiB} bytes) to up`, 'Bye']);
      // The server kept nothing of the cut STOR (SIZE: 550), so the file went again from the start, under its own name.
      assert.deepEqual(commands(server, 'STOR'), ['STOR up/a.bin', 'STOR up/deep/big.bin', 'STOR up/deep/big.bin']);
      assert.deepEqual(commands(server, 'SIZE'), ['SIZE up/deep/big.bin']);
      assert.equal(await sha256File(path.join(root, 'up', 'deep', 'big.bin')), bigSum);
      assert.deepEqual(fs.readdirSync(path.join(root, 'up'), { recursive: true }).sort(), ['a.bin', 'deep', 'deep/big.bin']);
    });

    it('upload -c goes on with APPE from what the server kept of the cut upload', async (t) => {
      // A partial copy to resume, as a cut APPE leaves it: the server keeps in-place data when the client failed.
      const original = fs.readFileSync(path.join(work, 'original.bin'));
      fs.writeFileSync(path.join(root, 'up.bin'), original.subarray(0, 10 * MiB));
      const out = await shellCut(t, ['upload -c original.bin up.bin'], 'the upload under way', () => sizeOf(path.join(root, 'up.bin')) > 10 * MiB);

      assert.deepEqual(out, [`Connected to 127.0.0.1:${relay.port}`, 'retrying (1/3) after: the cut', `Uploaded up.bin (${BIG - 10 * MiB} bytes)`, 'Bye']);
      assert.deepEqual(commands(server, 'APPE'), ['APPE up.bin', 'APPE up.bin']);
      assert.equal(commands(server, 'SIZE').length, 2);
      assert.equal(await sha256File(path.join(root, 'up.bin')), bigSum);
    });
  });
});
