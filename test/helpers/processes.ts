/** Child processes with a deadline: every test process ends by itself. */
import { spawn, type SpawnOptions } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions extends SpawnOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  /**
   * For a process that runs while the test does other things (a download to
   * cut): one still running when `test` ends, a failed step having skipped
   * the await, is killed then and waited for.
   */
  readonly test?: TestContext;
}

/** Runs a command to completion, feeding `input` to its stdin; kills it at the deadline. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { input, timeoutMs = 120_000, test, ...spawnOptions } = options;
  const result = new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...spawnOptions });
    test?.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return result.then(
        () => undefined,
        () => undefined,
      );
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input ?? '');
  });
  return result;
}

/** Whether a program is installed, so tests of optional peers can say clearly why they are skipped. */
export async function hasProgram(name: string): Promise<boolean> {
  const result = await run('sh', ['-c', `command -v ${name}`], { timeoutMs: 10_000 });
  return result.code === 0;
}
