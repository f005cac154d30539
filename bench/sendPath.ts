/**
 * The download rows of the side-by-side run (RETR 1 GiB, 200 clients x
 * 10 MiB and the peak RSS during them) for several sockftp builds or send
 * paths at once, interleaved round after round on one machine: what a change
 * to the send path is worth, as ratios within one run, with the server's
 * CPU seconds per GiB sent (main thread + the others, from /proc/PID/task),
 * which a loaded machine moves less than speed. Optionally every
 * server runs under `node --cpu-prof` (bench/cpuProfile.ts summarises the
 * profiles). Needs no root and no peers.
 *
 *   node dist/bench/sendPath.js --variant before=/tmp/old/dist/src/cli/main.js:js --variant after=dist/src/cli/main.js:js
 *     [--rounds 3] [--clients 200] [--big-mib 1024] [--cpu-prof DIR]
 *
 * A variant is NAME=CLI:PATH[:EXTRA], PATH `js` (SOCKFTP_NO_NATIVE=1) or
 * `native`, EXTRA comma-separated node flags (`--max-semi-space-size=2`) and
 * environment variables (`UV_THREADPOOL_SIZE=8`).
 * `--clients 0` or `--big-mib 0` leaves that test out.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Cleanup } from './Cleanup.js';
import { Fixture } from './Fixture.js';
import { bigRetrieveTest } from './measure/bigTransfers.js';
import { manyClientsTest } from './measure/manyClients.js';
import { RssSampler } from './memory/RssSampler.js';
import { MiB } from './paths.js';
import { median } from './report/statistics.js';
import type { BenchServer } from './servers/BenchServer.js';
import { passiveBlocks } from './servers/ports.js';
import { startSockftp } from './servers/sockftp.js';

/** CPU seconds of a process's threads so far, the main thread (its tid is the pid) apart from the rest (libuv's pool, V8's helpers). */
function cpuSeconds(pid: number): { main: number; others: number } {
  const ticks = { main: 0, others: 0 };
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    // utime and stime are fields 14 and 15; the name in parentheses may hold spaces.
    const fields = fs
      .readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    const t = Number(fields[11]) + Number(fields[12]);
    if (Number(tid) === pid) ticks.main += t;
    else ticks.others += t;
  }
  return { main: ticks.main / CLOCK_TICKS, others: ticks.others / CLOCK_TICKS };
}

const CLOCK_TICKS = 100;

interface Variant {
  readonly name: string;
  readonly cli: string;
  readonly native: boolean;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

function parse(args: readonly string[]) {
  const variants: Variant[] = [];
  let rounds = 3;
  let clients = 200;
  let bigMiB = 1024;
  let profileDir: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const value = args[++i];
    if (value === undefined) throw new Error(`${args[i - 1]} needs a value`);
    const flag = args[i - 1];
    if (flag === '--variant') {
      const m = /^([^=]+)=([^:]+):(js|native)(?::(.+))?$/.exec(value);
      if (!m) throw new Error(`--variant NAME=CLI:js|native[:EXTRA], not ${value}`);
      const extra: string[] = m[4]?.split(',') ?? [];
      const env: Record<string, string> = {};
      for (const e of extra.filter((x) => !x.startsWith('-'))) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
      variants.push({ name: m[1], cli: path.resolve(m[2]), native: m[3] === 'native', nodeArgs: extra.filter((e) => e.startsWith('-')), env });
    } else if (flag === '--rounds') rounds = Number(value);
    else if (flag === '--clients') clients = Number(value);
    else if (flag === '--big-mib') bigMiB = Number(value);
    else if (flag === '--cpu-prof') profileDir = path.resolve(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  if (variants.length === 0) throw new Error('at least one --variant');
  return { variants, rounds, clients, bigBytes: bigMiB * MiB, profileDir };
}

const plan = parse(process.argv.slice(2));
const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sockftp-sendpath-'));
  cleanup.defer(`remove ${base}`, () => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  fs.mkdirSync(root);
  const fixture = Fixture.build(
    root,
    { bigBytes: plan.bigBytes, clientFileBytes: 10 * MiB, listEntries: 0 },
    { uid: process.getuid!(), gid: process.getgid!() },
  );
  const login = { user: 'bench', password: randomBytes(12).toString('hex') };
  const sampler = new RssSampler();
  cleanup.defer('stop the memory sampler', () => sampler.stop());
  const blocks = passiveBlocks(plan.variants.length, 1000);
  const servers: BenchServer[] = [];
  for (const [i, v] of plan.variants.entries()) {
    const confDir = path.join(base, `conf-${i}`);
    fs.mkdirSync(confDir);
    const nodeArgs = [...v.nodeArgs, ...(plan.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(plan.profileDir, v.name)] : [])];
    const env = { ...process.env, SOCKFTP_NO_NATIVE: v.native ? '0' : '1', ...v.env };
    const server = await startSockftp({ root, login, confDir, passivePorts: blocks[i], maxClients: 1000 }, v.cli, nodeArgs, env);
    cleanup.defer(`stop ${v.name}`, () => server.stop());
    servers.push(server);
    await sampler.request('watch', server.pid);
    console.log(`${v.name}: ${server.version}, ${v.native ? 'native' : 'js'} path, port ${server.port}`);
  }
  const context = { fixture, work: base, login };
  const big = bigRetrieveTest(plan.bigBytes, plan.rounds);
  const many = manyClientsTest(plan.clients, 10 * MiB, plan.rounds);
  const figures = plan.variants.map(() => ({
    retr: [] as number[],
    retrCpu: [] as number[],
    aggregate: [] as number[],
    p99: [] as number[],
    rss: [] as number[],
    manyCpu: [] as number[],
    failed: 0,
  }));
  /** Server CPU seconds per GiB sent during `run`: main thread + the others. */
  const cpuPerGiB = async <T>(pid: number, gib: number, run: () => Promise<T>): Promise<[T, number, string]> => {
    const before = cpuSeconds(pid);
    const result = await run();
    const after = cpuSeconds(pid);
    const [main, others] = [(after.main - before.main) / gib, (after.others - before.others) / gib];
    return [result, main + others, `${(main + others).toFixed(2)} (${main.toFixed(2)}+${others.toFixed(2)}) s/GiB`];
  };
  for (let round = 0; round < plan.rounds; round++) {
    // Each round starts one variant further along, so drift on the machine hits all alike.
    for (let k = 0; k < servers.length; k++) {
      const i = (round + k) % servers.length;
      const [f, server, line] = [figures[i], servers[i], [`round ${round + 1} ${plan.variants[i].name}:`]];
      if (plan.bigBytes > 0) {
        const [m, cpu, text] = await cpuPerGiB(server.pid, plan.bigBytes / 1024 / MiB, () => big.measure(server, context));
        f.retr.push(m.values['mibPerSecond']!);
        f.retrCpu.push(cpu);
        line.push(`RETR ${f.retr.at(-1)!.toFixed(0)} MiB/s, CPU ${text};`);
      }
      if (plan.clients > 0) {
        await sampler.request('mark', server.pid);
        const [m, cpu, text] = await cpuPerGiB(server.pid, (plan.clients * 10) / 1024, () => many.measure(server, context));
        f.rss.push((await sampler.request('read', server.pid)).sinceMarkKiB / 1024);
        f.aggregate.push(m.values['aggregateMibPerSecond']!);
        f.p99.push(m.values['latencyP99Seconds'] ?? NaN);
        f.manyCpu.push(cpu);
        f.failed += m.values['failedClients']!;
        line.push(
          `${plan.clients} clients ${f.aggregate.at(-1)!.toFixed(0)} MiB/s, p99 ${f.p99.at(-1)!.toFixed(2)} s, CPU ${text}, peak RSS ${f.rss.at(-1)!.toFixed(1)} MiB`,
        );
      }
      console.log(line.join(' '));
    }
  }
  const first = figures[0];
  const range = (v: number[], digits = 0) =>
    v.length === 0 ? '-' : `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)})`;
  const ratio = (a: number[], b: number[], lowerIsBetter = false) =>
    a.length === 0 ? '-' : (lowerIsBetter ? median(b) / median(a) : median(a) / median(b)).toFixed(2);
  console.log(
    `\nmedians of ${plan.rounds} rounds, ratios to ${plan.variants[0].name} (above 1 is better); load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `| variant | RETR ${plan.bigBytes / MiB} MiB, MiB/s | x | CPU s/GiB | x | ${plan.clients} clients, MiB/s | x | p99, s | CPU s/GiB | x | peak RSS, MiB | failed |`,
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const [i, f] of figures.entries()) {
    const cells = [
      ...[plan.variants[i].name, range(f.retr), ratio(f.retr, first.retr), range(f.retrCpu, 2), ratio(f.retrCpu, first.retrCpu, true)],
      ...[range(f.aggregate), ratio(f.aggregate, first.aggregate), range(f.p99, 2), range(f.manyCpu, 2), ratio(f.manyCpu, first.manyCpu, true)],
      ...[range(f.rss, 1), String(f.failed)],
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
} catch (err) {
  console.error(`the run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
