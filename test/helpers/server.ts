/**
 * Starts the real server, `sockftp serve`, as a child process on port 0 and
 * reads the port from the line it prints once listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI } from './paths.js';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves when everything the server printed matches `pattern` (a RegExp or a test of the text); rejects after a deadline. */
  waitForOutput(pattern: RegExp | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const START_TIMEOUT_MS = 15_000;

/** `nodeArgs` go to node itself, before the script (for example --expose-gc); `env` replaces the environment. */
export function startServer(
  root: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  return startServe([root, '--port', '0', ...args], nodeArgs, env);
}

/** `sockftp serve` with exactly these arguments (no root or port added: a --config file may give them). */
export function startServe(args: readonly string[], nodeArgs: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  return startCommand(process.execPath, [...nodeArgs, CLI, 'serve', ...args], env);
}

/** Any command that runs the server, such as an installed `sockftp` with `serve` and its flags. */
export async function startCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = once(child, 'exit');
  const address = await new Promise<{ host: string; port: number; url: string }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), START_TIMEOUT_MS);
    const check = () => {
      const m = /(ftp:\/\/(\[[^\]]+\]|[^:\s/]+):(\d+))/.exec(output);
      if (!m) return;
      cleanup();
      resolve({ url: m[1], host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]) });
    };
    const onExit = () => fail(new Error(`server exited before listening:\n${output}`));
    const fail = (err: Error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout.on('data', check);
    child.once('exit', onExit);
  });
  return {
    ...address,
    process: child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
        const check = () => {
          if (!matches(output)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`server never printed ${String(pattern)}:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
        };
        child.stdout.on('data', check);
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}
