/**
 * The server's logger: pino, writing JSON lines (--log-format json) or one
 * short human line per event (pretty, the default). The pretty form is a few
 * lines here rather than pino-pretty and its dependency tree.
 */
import { pino, type Logger, type Level } from 'pino';

export type LogFormat = 'pretty' | 'json';

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Keys every event carries that the pretty line shows in its own way or not at all. */
const HIDDEN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function createLogger(level: Level, format: LogFormat, out: NodeJS.WritableStream = process.stdout): Logger {
  const options = { level, base: null, redact: { paths: ['password', '*.password'], censor: '****' } };
  if (format === 'json') return pino(options, pino.destination({ dest: 1, sync: true }));
  return pino(options, { write: (line: string) => void out.write(prettyLine(line)) });
}

/**
 * A path or URL the message already says ("serving /srv at ftp://...") is not
 * repeated after it. Only such values: a short one, like the command "co",
 * would match inside any word.
 */
function saidInMessage(value: unknown, msg: string): boolean {
  return typeof value === 'string' && /[/:]/.test(value) && value.length >= 4 && msg.includes(value);
}

export function prettyLine(jsonLine: string): string {
  const event = JSON.parse(jsonLine) as Record<string, unknown>;
  const time = new Date(event.time as number).toISOString().slice(11, 19);
  const level = pino.levels.labels[event.level as number] ?? 'info';
  const msg = typeof event.msg === 'string' ? event.msg : '';
  const fields = Object.entries(event)
    .filter(([key, value]) => !HIDDEN_KEYS.has(key) && !saidInMessage(value, msg))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const prefix = level === 'info' ? time : `${time} ${level.toUpperCase()}`;
  return [prefix, msg, ...fields].join(' ') + '\n';
}
