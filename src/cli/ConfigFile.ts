/**
 * `sockftp serve --config FILE`: a TOML file with a key for every `serve`
 * flag, laid under the flags given on the command line. The keys come from
 * commander's own option list, so a flag added to main.ts has its key at once:
 *
 *   --max-per-ip 50            max-per-ip = 50
 *   --tls-cert FILE            tls-cert = "FILE"
 *   --no-tls-session-reuse     tls-session-reuse = false
 *   ROOT                       root = "/srv/ftp"
 *
 * Values are not checked here: they go through the same checks as the flags
 * (serve.ts), and a FlagError about a value that came from the file is
 * reworded to name its key (explain()).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { type Command, InvalidArgumentError, type Option } from 'commander';
import { CliError } from './CliError.js';
import { FlagError } from './FlagError.js';

/** The key of the ROOT argument. */
export const ROOT_KEY = 'root';

/** `--config` itself has no key: a file cannot name another file. */
const CONFIG_ATTRIBUTE = 'config';

/** A flag's key: its long name without the dashes, and without "no-" for a negation (the file says `tls-session-reuse = false`). */
export function configKey(option: Option): string {
  const name = (option.long ?? option.short ?? '').replace(/^-+/, '');
  return option.negate ? name.replace(/^no-/, '') : name;
}

/** The options of `command` that the file may set, by key. */
export function configurableOptions(command: Command): Map<string, Option> {
  return new Map(command.options.filter((o) => o.attributeName() !== CONFIG_ATTRIBUTE).map((o) => [configKey(o), o]));
}

/** Values the user typed (or set in an option's environment variable) win over the file. */
function givenByUser(command: Command, option: Option): boolean {
  const source = command.getOptionValueSource(option.attributeName());
  return source === 'cli' || source === 'env';
}

/** The file, as read at one moment, under the flags of one command line. */
export class ConfigFile<O extends object = Record<string, unknown>> {
  private constructor(
    readonly path: string,
    private readonly command: Command,
    private readonly rootArgument: string | undefined,
    /** ROOT: the argument if given, else the file's `root`. */
    readonly root: string | undefined,
    /** Every option's value: the flag's if given, else the file's, else the default. */
    readonly options: O,
    /** Keys by flag (`--max-per-ip` -> `max-per-ip`, `ROOT` -> `root`) of the values taken from the file. */
    private readonly fromFile: ReadonlyMap<string, string>,
  ) {}

  /** Reads `path`; any problem with the file, a key or a value's type is a one-line CliError. */
  static read<O extends object>(path: string, command: Command, rootArgument: string | undefined): ConfigFile<O> {
    const table = readTable(path);
    const fail = (reason: string) => new CliError(`--config ${path}: ${reason}`);
    const byKey = configurableOptions(command);
    const options: Record<string, unknown> = { ...command.opts() };
    const fromFile = new Map<string, string>();
    let root = rootArgument;
    for (const [key, value] of Object.entries(table)) {
      if (key === ROOT_KEY) {
        if (typeof value !== 'string') throw fail(`"${key}" must be a string, not ${describe(value)}`);
        if (rootArgument === undefined) {
          root = value;
          fromFile.set('ROOT', key);
        }
        continue;
      }
      const option = byKey.get(key);
      if (!option) throw fail(`unknown key "${key}"${suggestion(key, [...byKey.keys(), ROOT_KEY])}`);
      if (givenByUser(command, option)) continue;
      try {
        options[option.attributeName()] = fileValue(option, value);
      } catch (err) {
        throw fail(`"${key}" ${(err as Error).message}`);
      }
      if (option.long) fromFile.set(option.long, key);
    }
    return new ConfigFile(path, command, rootArgument, root, options as O, fromFile);
  }

  /** The same file read again (SIGHUP), under the same command line. */
  reread(): ConfigFile<O> {
    return ConfigFile.read(this.path, this.command, this.rootArgument);
  }

  /** A bad value from the file, named by its key rather than by the flag its check knows. */
  explain(err: unknown): unknown {
    const key = err instanceof FlagError ? this.fromFile.get(err.flag) : undefined;
    return key === undefined ? err : new CliError(`--config ${this.path}: "${key}" ${(err as FlagError).reason}`);
  }

  /** The keys whose value here differs from their value in `earlier`, ROOT's included. */
  changedKeys(earlier: ConfigFile<O>): string[] {
    const changed = this.root === earlier.root ? [] : [ROOT_KEY];
    const now = this.options as Record<string, unknown>;
    const before = earlier.options as Record<string, unknown>;
    for (const [key, option] of configurableOptions(this.command)) {
      const name = option.attributeName();
      if (JSON.stringify(now[name]) !== JSON.stringify(before[name])) changed.push(key);
    }
    return changed;
  }
}

function readTable(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new CliError(`--config ${path}: ${reason}`);
  }
  // The TOML parser is loaded only with --config (synchronously, through its CommonJS build): a server without one never needs it.
  const { TomlError, parse } = createRequire(import.meta.url)('smol-toml') as typeof import('smol-toml');
  try {
    return parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message is several lines (an excerpt with a caret); its first line, less the preamble, is the reason.
    const reason = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    throw new CliError(`--config ${path}: line ${err.line}, column ${err.column}: ${reason}`);
  }
}

/** The value the option would hold had the flag been typed: a string (a TOML integer becomes one) or a boolean. */
function fileValue(option: Option, value: unknown): unknown {
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    if (typeof value !== 'boolean') throw new Error(`must be true or false, not ${describe(value)}`);
    return value;
  }
  if (option.optional && typeof value === 'boolean') return value;
  const items = option.variadic && Array.isArray(value) ? value : [value];
  let result: unknown = option.defaultValue;
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') throw new Error(`must be a string or a number, not ${describe(item)}`);
    const text = String(item);
    if (option.argChoices && !option.argChoices.includes(text)) throw new Error(`must be one of ${option.argChoices.join(', ')}, not "${text}"`);
    result = parsed(option, text, result);
  }
  return result;
}

/** As commander stores a typed value: through the option's own parser if it has one, collected if variadic. */
function parsed(option: Option, text: string, previous: unknown): unknown {
  if (option.parseArg) {
    try {
      return option.parseArg(text, previous);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new Error(err.message);
      throw err;
    }
  }
  if (!option.variadic) return text;
  return previous === option.defaultValue || !Array.isArray(previous) ? [text] : [...(previous as unknown[]), text];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value !== null && typeof value === 'object') return 'a table';
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** ` (did you mean "max-clients"?)` for a key a typo or two away from a real one. */
function suggestion(key: string, keys: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of keys) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === null ? '' : ` (did you mean "${best}"?)`;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}

/** A `serve`-like action with --config: `run` gets the file's values under the flags, and a bad one is reported by its key. */
export function withConfigFile<O extends { config?: string }>(
  run: (root: string | undefined, options: O, file: ConfigFile<O> | null) => Promise<void>,
): (root: string | undefined, flags: O, command: Command) => Promise<void> {
  return async (root, flags, command) => {
    if (flags.config === undefined) return run(root, flags, null);
    const file = ConfigFile.read<O>(flags.config, command, root);
    try {
      await run(file.root, file.options, file);
    } catch (err) {
      throw file.explain(err);
    }
  };
}
