/** The machine a run measured on, for the results file: figures from different machines do not compare. */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
}

export function describeMachine(): Machine {
  const release = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: os.release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? os.type(),
    node: process.version,
  };
}

/** The command as the user typed it: `npm run bench -- --quick`, or the node command line. */
export function commandLine(): string {
  const args = process.argv.slice(2);
  if (process.env['npm_lifecycle_event'] === 'bench') return ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  return ['node', ...process.argv.slice(1)].join(' ');
}
