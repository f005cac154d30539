/**
 * The --config key of every `serve` flag, walked from commander's own option
 * list (a flag added later without a working key, or missing from
 * docs/sockftp.toml, fails here), and how the file is laid under the flags.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Command, Option } from 'commander';
import { parse } from 'smol-toml';
import { ConfigFile, ROOT_KEY, configKey, configurableOptions } from '../../src/cli/ConfigFile.js';
import { program } from '../../src/cli/main.js';
import { RUNTIME_KEYS } from '../../src/cli/reload.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/paths.js';

const dir = tempDir();
after(() => removeDir(dir));

let files = 0;
function tomlFile(text: string): string {
  const file = path.join(dir, `t${++files}.toml`);
  fs.writeFileSync(file, text);
  return file;
}

const serve = program.commands.find((c) => c.name() === 'serve')!;

/** A value the option accepts, written as TOML, and what the option then holds. */
function sample(option: Option): { toml: string; holds: unknown } {
  if (!option.required && !option.optional) return { toml: String(!option.negate), holds: !option.negate };
  const text = option.argChoices?.[0] ?? (typeof option.defaultValue === 'string' ? option.defaultValue : 'sample');
  const holds: unknown = option.parseArg ? option.parseArg(text, option.defaultValue) : option.variadic ? [text] : text;
  return { toml: JSON.stringify(text), holds };
}

/** The keys docs/sockftp.toml shows, commented out or not. */
function documentedKeys(): Set<string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs/sockftp.toml'), 'utf8');
  return new Set([...text.matchAll(/^#?\s?([a-z0-9-]+) = /gm)].map((m) => m[1]));
}

describe('every serve flag has a --config key', () => {
  const options = serve.options.filter((o) => o.attributeName() !== 'config');

  it('one key per flag, none the same and none "root"', () => {
    const keys = options.map(configKey);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(!keys.includes(ROOT_KEY));
    assert.equal(configurableOptions(serve).size, options.length);
  });

  for (const option of options) {
    it(`${option.flags} is set by "${configKey(option)}"`, () => {
      assert.ok(option.long, 'a flag needs a long name to have a key');
      const { toml, holds } = sample(option);
      const file = ConfigFile.read<Record<string, unknown>>(tomlFile(`${configKey(option)} = ${toml}\n`), serve, undefined);
      assert.deepEqual(file.options[option.attributeName()], holds);
    });
  }

  it('docs/sockftp.toml shows every key, and no key that is not one', () => {
    const keys = new Set([...configurableOptions(serve).keys(), ROOT_KEY]);
    const documented = documentedKeys();
    assert.deepEqual(
      [...keys].filter((k) => !documented.has(k)),
      [],
      'keys missing from docs/sockftp.toml',
    );
    assert.deepEqual(
      [...documented].filter((k) => !keys.has(k)),
      [],
      'keys in docs/sockftp.toml that are no flag',
    );
  });

  it('docs/sockftp.toml shows each default as the code has it', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs/sockftp.toml'), 'utf8');
    const options = configurableOptions(serve);
    for (const [, line, key] of text.matchAll(/^# (([a-z0-9-]+) = .*)$/gm)) {
      const option = options.get(key)!;
      const shown = Object.values(parse(line))[0];
      const takesValue = option.required || option.optional;
      // A value option without a default shows an example; a switch's default is off, a negation's on.
      if (takesValue && option.defaultValue === undefined) continue;
      assert.equal(String(shown as string | number | boolean), String(takesValue ? option.defaultValue : option.negate), `# ${line}`);
    }
  });

  it('the keys SIGHUP applies at once are all keys', () => {
    const keys = configurableOptions(serve);
    assert.deepEqual(
      [...RUNTIME_KEYS].filter((k) => !keys.has(k)),
      [],
    );
  });
});

describe('ConfigFile', () => {
  /** A command of its own, parsed from `argv` (no action runs). */
  function command(argv: string[] = []): Command {
    const c = new Command('t')
      .argument('[root]')
      .option('--config <file>')
      .option('--max-per-ip <n>', 'limit', '50')
      .option('--no-tls-session-reuse')
      .addOption(new Option('--level <l>').env('T_LEVEL'))
      .option('--from <cidr...>');
    return c.parse(argv, { from: 'user' });
  }

  it('turns a TOML integer into the string a typed flag would be', () => {
    const file = ConfigFile.read<Record<string, unknown>>(tomlFile('max-per-ip = 7\n'), command(), undefined);
    assert.equal(file.options.maxPerIp, '7');
  });

  it('sets a negated flag by its positive name', () => {
    const file = ConfigFile.read<Record<string, unknown>>(tomlFile('tls-session-reuse = false\n'), command(), undefined);
    assert.equal(file.options.tlsSessionReuse, false);
  });

  it('takes an array for a flag of several values', () => {
    const file = ConfigFile.read<Record<string, unknown>>(tomlFile('from = ["10.0.0.0/8", "192.0.2.1/32"]\n'), command(), undefined);
    assert.deepEqual(file.options.from, ['10.0.0.0/8', '192.0.2.1/32']);
  });

  it('keeps a typed flag, and a flag from its environment variable, over the file', () => {
    process.env.T_LEVEL = 'warn';
    try {
      const file = ConfigFile.read<Record<string, unknown>>(tomlFile('max-per-ip = 7\nlevel = "debug"\n'), command(['--max-per-ip', '3']), undefined);
      assert.equal(file.options.maxPerIp, '3');
      assert.equal(file.options.level, 'warn');
    } finally {
      delete process.env.T_LEVEL;
    }
  });

  it('takes root from the file unless ROOT was given', () => {
    const text = 'root = "/srv/ftp"\n';
    assert.equal(ConfigFile.read(tomlFile(text), command(), undefined).root, '/srv/ftp');
    assert.equal(ConfigFile.read(tomlFile(text), command(['/data']), '/data').root, '/data');
  });

  it('read again, a key taken out of the file is back to its default, and is reported as changed', () => {
    const name = tomlFile('max-per-ip = 7\n');
    const c = command();
    const first = ConfigFile.read<Record<string, unknown>>(name, c, undefined);
    fs.writeFileSync(name, 'tls-session-reuse = true\n');
    const second = first.reread();
    assert.equal(second.options.maxPerIp, '50');
    assert.deepEqual(second.changedKeys(first), ['max-per-ip']);
  });
});
