/**
 * docs/sockftp.service and docs/logrotate-sockftp agree with the code and with
 * docs/sockftp.toml: the command the unit runs exists and takes those flags,
 * it waits long enough for a graceful stop, and every path is the same one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'smol-toml';
import { configurableOptions } from '../../src/cli/ConfigFile.js';
import { program } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/paths.js';

const read = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'docs', name), 'utf8');
const unit = read('sockftp.service');
const logrotate = read('logrotate-sockftp');
const config = parse(read('sockftp.toml')) as Record<string, string | number>;
const serve = program.commands.find((c) => c.name() === 'serve')!;

/** The value of `Key=` in the unit (the last one, as systemd takes it). */
function directive(key: string): string {
  const values = [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
  assert.ok(values.length > 0, `${key}= is in the unit`);
  return values.at(-1)!;
}

describe('docs/sockftp.service', () => {
  it('runs the built CLI from where it is installed, with the example config', () => {
    const m = /^\/usr\/bin\/env node \/opt\/sockftp\/(\S+) serve --config (\S+)$/.exec(directive('ExecStart'));
    assert.ok(m, directive('ExecStart'));
    assert.ok(fs.existsSync(path.join(REPO_ROOT, m[1])), `${m[1]} is what the build makes`);
    assert.equal(m[2], '/etc/sockftp/sockftp.toml');
    assert.equal(directive('ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(directive('KillSignal'), 'SIGTERM');
  });

  it('waits longer to stop than the drain delay, the shutdown grace and the 5 s sockets get to close', () => {
    const defaults = configurableOptions(serve);
    const seconds = (key: string) => Number(config[key] ?? defaults.get(key)!.defaultValue);
    assert.ok(Number(directive('TimeoutStopSec')) > seconds('drain-delay') + seconds('shutdown-grace') + 5);
  });

  it("lets the server write only the served directory and the xferlog's", () => {
    assert.equal(directive('ProtectSystem'), 'strict');
    assert.equal(directive('ReadWritePaths'), config.root);
    assert.equal(path.dirname(String(config.xferlog)), `/var/log/${directive('LogsDirectory')}`);
  });

  it('keeps the one capability port 21 needs, and the example listens there', () => {
    assert.equal(config.port, 21);
    assert.equal(directive('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
    assert.equal(directive('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(directive('NoNewPrivileges'), 'yes');
  });

  it('runs as the user logrotate rotates as', () => {
    assert.match(logrotate, new RegExp(`^\\s*su ${directive('User')} ${directive('Group')}$`, 'm'));
  });
});

describe('docs/logrotate-sockftp', () => {
  it("rotates the example config's xferlog and reloads the unit afterwards", () => {
    assert.match(logrotate, new RegExp(`^${String(config.xferlog).replace(/[/.]/g, '\\$&')} \\{$`, 'm'));
    assert.match(logrotate, /postrotate\n\s*systemctl reload sockftp\.service/);
    assert.doesNotMatch(logrotate, /^\s*copytruncate/m);
  });
});
