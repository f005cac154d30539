/**
 * `sockftp connect` in a real terminal (tmux): the progress bar, Tab
 * completion, Ctrl-C during a 1 GiB download, and history across sessions.
 * Skipped, saying so, where tmux is missing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { Terminal } from '../helpers/terminal.js';

const GiB = 1024 * MiB;
const PROMPT = 'sockftp> ';

/** What the screen ends with once the shell has exited with status 0. */
const EXITED = /\n\[exited 0\]/;

describe('the client in a terminal', () => {
  const f = useServer();
  let skip: string | null = null;
  const homes: string[] = [];
  let terminal: Terminal | null = null;

  before(async () => {
    skip = await Terminal.unavailable();
  });

  afterEach(async () => {
    await terminal?.stop();
    terminal = null;
  });

  after(() => homes.forEach(removeDir));

  /** A HOME of its own for a test, so its history is its own. */
  function newHome(): string {
    homes.push(tempDir());
    return homes[homes.length - 1];
  }

  /** The shell against the fixture's server, in the work directory, at its first prompt. */
  async function shell(home = newHome()): Promise<Terminal> {
    terminal = await Terminal.start([process.execPath, CLI, 'connect', `127.0.0.1:${f.server.port}`], f.work, { HOME: home });
    await terminal.waitFor((s) => s.endsWith(PROMPT.trimEnd()));
    return terminal;
  }

  /** The lines after the last prompt that shows `command`. */
  function linesAfter(screen: string, command: string): string[] {
    const lines = screen.split('\n');
    return lines.slice(lines.lastIndexOf(PROMPT + command) + 1);
  }

  it('draws one progress line that is redrawn in place and ends at 100%', async (t) => {
    if (skip) return t.skip(skip);
    const sum = randomFile(path.join(f.work, 'movie.bin'), 48 * MiB);
    const term = await shell();
    await term.keys('upload movie.bin', 'Enter');
    const screen = await term.waitFor(/Uploaded movie\.bin \(50331648 bytes\)\n/);
    const output = linesAfter(screen, 'upload movie.bin');
    // One line for the bar, whatever the number of redraws, then the result line and the prompt.
    assert.equal(output.length, 3, screen);
    assert.match(output[0], /^movie\.bin +100% \[#{10,30}\] {2}48\.0 MB \/ 48\.0 MB {2}[\d.]+ [KMG]?B\/s {2}ETA 0:00$/);
    assert.equal(output[1], 'Uploaded movie.bin (50331648 bytes)');
    assert.equal(await sha256File(path.join(f.root, 'movie.bin')), sum);
  });

  it('draws no progress line for a download the server refuses, only its 550', async (t) => {
    if (skip) return t.skip(skip);
    const term = await shell();
    await term.keys('download nothere.bin', 'Enter');
    const screen = await term.waitFor((s) => /Error: 550 .*nothere\.bin/.test(s) && s.endsWith(PROMPT.trimEnd()));
    const output = linesAfter(screen, 'download nothere.bin');
    assert.equal(output.length, 2, screen);
    assert.match(output[0], /^Error: 550 .*nothere\.bin/);
    assert.equal(fs.existsSync(path.join(f.work, 'nothere.bin.part')), false);
  });

  it('completes a command name, a remote file name and a remote directory with Tab', async (t) => {
    if (skip) return t.skip(skip);
    fs.writeFileSync(path.join(f.root, 'report-2026.pdf'), 'pdf');
    fs.writeFileSync(path.join(f.root, 'other.txt'), 'txt');
    fs.mkdirSync(path.join(f.root, 'my docs'));
    const term = await shell();
    await term.keys('downl', 'Tab');
    await term.waitFor((s) => s.endsWith(PROMPT + 'download'));
    await term.keys(' rep', 'Tab');
    await term.waitFor((s) => s.endsWith(PROMPT + 'download report-2026.pdf'));
    await term.keys('C-u', 'cd my', 'Tab');
    await term.waitFor((s) => s.endsWith(PROMPT + 'cd my\\ docs/'));
    await term.keys('Enter');
    await term.waitFor(/Now in \/my docs\n/);
  });

  it('stops a 1 GiB download with Ctrl-C and keeps the connection usable', async (t) => {
    if (skip) return t.skip(skip);
    // Sparse: a gigabyte to send that costs nothing to make.
    fs.writeFileSync(path.join(f.root, 'huge.iso'), '');
    fs.truncateSync(path.join(f.root, 'huge.iso'), GiB);
    const term = await shell();
    await term.keys('download huge.iso', 'Enter');
    // Some data has come: the bar counts more than "0 B".
    await term.waitFor((s) => /huge\.iso +\d+% \[[#.]+\] {2}\S+ [KMG]?B \//.test(s) && !/\] {2}0 B \//.test(s));
    // The server is frozen while Ctrl-C goes in, so the download is surely still running when it arrives.
    const server = f.server.process.pid!;
    process.kill(server, 'SIGSTOP');
    try {
      await term.keys('C-c');
    } finally {
      process.kill(server, 'SIGCONT');
    }
    await term.waitFor(/huge\.iso: interrupted after \d+ bytes \(download -c resumes it\)\n/);
    await term.waitFor((s) => s.endsWith(PROMPT.trimEnd()));
    const part = fs.statSync(path.join(f.work, 'huge.iso.part')).size;
    assert.ok(part > 0 && part < GiB, `${part} bytes were kept for -c`);
    assert.equal(fs.existsSync(path.join(f.work, 'huge.iso')), false);
    await term.keys('pwd', 'Enter');
    await term.waitFor((s) => s.endsWith(`${PROMPT}pwd\n/\n${PROMPT.trimEnd()}`));
    await term.keys('size huge.iso', 'Enter');
    const screen = await term.waitFor(/1024\.00 MB \(1073741824 bytes\)\n/);
    assert.doesNotMatch(screen, /Error/);
    fs.rmSync(path.join(f.work, 'huge.iso.part'));
    fs.rmSync(path.join(f.root, 'huge.iso'));
  });

  it('keeps the history across sessions in ~/.sockftp_history, readable by its owner only', async (t) => {
    if (skip) return t.skip(skip);
    const home = newHome();
    let term = await shell(home);
    await term.keys('pwd', 'Enter', 'lpwd', 'Enter', 'byebye', 'Enter');
    await term.waitFor(EXITED);
    await term.stop();
    const file = path.join(home, '.sockftp_history');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, 'utf8'), 'pwd\nlpwd\nbyebye\n');
    term = await shell(home);
    await term.keys('Up', 'Up');
    await term.waitFor((s) => s.endsWith(PROMPT + 'lpwd'));
    await term.keys('Enter');
    await term.waitFor((s) => s.endsWith(`${PROMPT}lpwd\n${f.work}\n${PROMPT.trimEnd()}`));
  });

  it('says how to quit at the first Ctrl-C on an empty line, and quits at the second', async (t) => {
    if (skip) return t.skip(skip);
    const term = await shell();
    await term.keys('rm something', 'C-c');
    await term.waitFor((s) => s.endsWith(PROMPT.trimEnd()));
    await term.keys('C-c');
    await term.waitFor(/\(To quit, press Ctrl-C again or type byebye\)\nsockftp>$/);
    await term.keys('C-c');
    await term.waitFor(/\nBye\n\[exited 0\]/);
  });
});
