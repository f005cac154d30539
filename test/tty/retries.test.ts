/**
 * The progress line of a transfer cut by a lost connection, in a real
 * terminal (tmux): it says it is retrying, in the session's language, and
 * the transfer then finishes on the same line at 100%. A relay between the
 * shell and the server cuts every connection mid-download. Skipped, saying
 * so, where tmux is missing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { startRelay, type Relay } from '../helpers/relay.js';
import { Terminal } from '../helpers/terminal.js';

const SIZE = 512 * MiB;
const PROMPT = 'sockftp> ';

describe('the retry on the progress line, in a terminal', () => {
  const f = useServer();
  let skip: string | null = null;
  let relay: Relay;
  let terminal: Terminal | null = null;
  let sum: string;
  const home = tempDir();

  before(async () => {
    skip = await Terminal.unavailable();
    relay = await startRelay(f.server.port);
    sum = randomFile(path.join(f.root, 'big.bin'), SIZE);
  });
  afterEach(async () => {
    await terminal?.stop();
    terminal = null;
    for (const name of fs.readdirSync(f.work)) fs.rmSync(path.join(f.work, name));
  });
  after(async () => {
    await relay.close();
    removeDir(home);
  });

  for (const [lang, retrying, downloaded] of [
    ['en', 'retrying (1/3) after: connection reset by the server', `Downloaded big.bin (${SIZE} bytes)`],
    ['id', 'mencoba lagi (1/3) setelah: koneksi diputus oleh server', `File Berhasil Dibuat: big.bin (${SIZE} byte)`],
  ] as const) {
    it(`says "${retrying}" on the bar, then ends the same line at 100% (--lang ${lang})`, async (t) => {
      if (skip) return t.skip(skip);
      const term = (terminal = await Terminal.start([process.execPath, CLI, 'connect', '--lang', lang, `127.0.0.1:${relay.port}`], f.work, { HOME: home }));
      await term.waitFor((s) => s.endsWith(PROMPT.trimEnd()));
      await term.keys('download big.bin', 'Enter');
      // Once the bar shows some progress, every connection is cut.
      await term.waitFor(/big\.bin +\d+% \[/);
      relay.cut();
      await term.waitFor((s) => s.includes(`big.bin  ${retrying}`));
      const screen = await term.waitFor((s) => s.includes(downloaded));
      const lines = screen.split('\n');
      const output = lines.slice(lines.lastIndexOf(PROMPT + 'download big.bin') + 1);
      // The retry was said on the bar's own line, redrawn in place: one line, at 100%, then the result.
      assert.match(output[0], /^big\.bin +100% \[#+\] /, screen);
      assert.equal(output[1], downloaded);
      assert.equal(await sha256File(path.join(f.work, 'big.bin')), sum);
    });
  }
});
