/**
 * A local user who can write inside the served root swaps a symlink out of
 * the root in and out of place, as fast as possible, while a client reads
 * or writes through that name. The server checks the path with realpath and
 * then opens it; whatever the timing, it must never act on a file beside the
 * root. Each race runs until the first escape or RACE_MS; a pass is evidence
 * within that time, not proof.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { SECRET, SymlinkSwapper, inSession, useHostileServer, type HostileFixture } from './support.js';

const RACE_MS = 2_000;

/**
 * Puts race.real in the root (a file, or a directory holding a decoy
 * secret.txt, so that "race/secret.txt" resolves inside the root) and
 * race.link, a symlink to the same thing beside the root, and has a
 * SymlinkSwapper put each in turn under the name "race".
 */
function swapInRoot(fx: HostileFixture, kind: 'file' | 'directory'): SymlinkSwapper {
  const { root } = fx.sandbox;
  if (kind === 'file') {
    fs.writeFileSync(path.join(root, 'race.real'), 'an ordinary file\n');
    fs.symlinkSync('../root-sentinel/secret.txt', path.join(root, 'race.link'));
  } else {
    fs.mkdirSync(path.join(root, 'race.real'));
    fs.writeFileSync(path.join(root, 'race.real', 'secret.txt'), 'a decoy inside the root\n');
    fs.symlinkSync('../root-sentinel', path.join(root, 'race.link'));
  }
  return new SymlinkSwapper(root, 'race', 'race.real', 'race.link');
}

/**
 * Runs `attempt` over and over while "race" is swapped, until an attempt
 * escaped the root or time is up. Fails if none got through at all (then the
 * race proved nothing) or if one escaped.
 */
async function race(
  fx: HostileFixture,
  kind: 'file' | 'directory',
  what: string,
  attempt: (conn: ControlConnection) => Promise<{ code: number; escaped: boolean }>,
) {
  const codes = new Map<number, number>();
  let escaped = false;
  const swapper = swapInRoot(fx, kind);
  try {
    await inSession(ControlConnection.login(fx.server.port), async (conn) => {
      await conn.expect('TYPE I', 200);
      for (const deadline = Date.now() + RACE_MS; Date.now() < deadline && !escaped;) {
        const outcome = await attempt(conn);
        codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
        escaped = outcome.escaped;
      }
    });
  } finally {
    await swapper.stop();
  }
  assert.ok(codes.get(226), `nothing got through while the swapper ran, so the race proved nothing: ${JSON.stringify([...codes])}`);
  assert.equal(escaped, false, `${what} (replies so far: ${JSON.stringify([...codes])})`);
}

const download = (file: string) => async (conn: ControlConnection) => {
  const r = await conn.receive(`RETR ${file}`);
  return { code: r.final.code, escaped: r.data.includes(SECRET) };
};

// Each race has a server and sandbox of its own: one that escapes must not spoil the next.
describe('a file swapped for a symlink out of the root while RETR runs', () => {
  const fx = useHostileServer();

  it('is never followed: O_NOFOLLOW refuses the link that realpath did not see', async () => {
    await race(fx, 'file', 'RETR sent the file beside the root', download('race'));
    await fx.assertUnharmed();
  });
});

describe('a directory swapped for a symlink out of the root while RETR runs', () => {
  const fx = useHostileServer();

  it('never yields a file from beside the root', async () => {
    await race(fx, 'directory', 'RETR sent the file beside the root', download('race/secret.txt'));
    await fx.assertUnharmed();
  });
});

describe('a directory swapped for a symlink out of the root while STOR runs', () => {
  const fx = useHostileServer();

  it('never writes a file beside the root', async () => {
    let n = 0;
    await race(fx, 'directory', 'STOR wrote a file beside the root', async (conn) => {
      const name = `planted-${n++}.txt`;
      const r = await conn.sendData(`STOR race/${name}`, Buffer.from('planted\n'));
      // A stat, not a readdir: reading the sentinel directory here would itself change its access time.
      return { code: r.final.code, escaped: fs.existsSync(path.join(fx.sandbox.sentinel, name)) };
    });
    await fx.assertUnharmed();
  });
});
