/**
 * sockftp beside vsftpd, pure-ftpd, proftpd, pyftpdlib and ftp-srv on loopback: the
 * same fixture tree, the same account, the same lean client, measured
 * interleaved. Prints a table and writes bench/results/*.json. Needs root
 * (vsftpd logs in a local user made for the run). Not part of `npm test`.
 *
 *   npm run bench              the full run (about 25 minutes)
 *   npm run bench -- --quick   every test, fewer times (about 4 minutes)
 *   npm run bench -- --baseline /tmp/base/dist/src/cli/main.js   another build beside sockftp, in its own column
 *   npm run bench -- --s3 [--quick]   on an S3 bucket instead: sockftp, vsftpd on s3fs, the raw SDK (onS3.ts)
 *
 * See bench/README.md for what each test measures and why it is done this way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parsePlan, UsageError, type BenchPlan, type ServerName } from './BenchPlan.js';
import { Cleanup } from './Cleanup.js';
import { Fixture } from './Fixture.js';
import { bigRetrieveTest, bigStoreTest } from './measure/bigTransfers.js';
import type { BenchTest } from './measure/BenchTest.js';
import { listingsTest } from './measure/listings.js';
import { manyClientsTest } from './measure/manyClients.js';
import { smallFilesTest } from './measure/smallFiles.js';
import { RssSampler } from './memory/RssSampler.js';
import { commandLine, describeMachine } from './report/machine.js';
import { writeResults } from './report/resultsFile.js';
import { reportRows } from './report/rows.js';
import { BASELINE, SOCKFTP, SOCKFTP_JS, summarize, type Runs } from './report/summarize.js';
import { markdownTable } from './report/table.js';
import { runInterleaved } from './runInterleaved.js';
import type { BenchServer, ServerStarter } from './servers/BenchServer.js';
import { startFtpSrv } from './servers/ftpSrv.js';
import { createLocalUser, localUserUnavailable } from './servers/localUser.js';
import { passiveBlocks } from './servers/ports.js';
import { startProftpd } from './servers/proftpd.js';
import { startPureFtpd } from './servers/pureFtpd.js';
import { startPyftpdlib } from './servers/pyftpdlib.js';
import { sockftpCommit, startSockftp } from './servers/sockftp.js';
import { startVsftpd } from './servers/vsftpd.js';

/**
 * Passive ports per server: 200 clients at once, and room for ports still in TIME_WAIT.
 * pure-ftpd admits at most half as many sessions as it has passive ports, so MAX_CLIENTS needs twice as many.
 */
const PASSIVE_BLOCK = 2000;
/** Sessions each server must accept at once: the largest client count, with room to spare. */
const MAX_CLIENTS = 1000;
/** Servers settle (JIT, lazy allocations) for this long before their idle memory is read. */
const SETTLE_MS = 2_000;

let plan: BenchPlan;
try {
  plan = parsePlan(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(err.message);
  process.exit(2);
}
if (plan.s3) process.exit(await (await import('./onS3.js')).runOnS3(plan));
// Before the fixture is written, which takes a while.
if (plan.baselineCli !== null && !fs.existsSync(plan.baselineCli)) {
  console.error(`--baseline: ${plan.baselineCli} does not exist (build that checkout with npx tsc -p tsconfig.json)`);
  process.exit(2);
}
const why = localUserUnavailable();
if (why) {
  console.error(`the benchmark cannot run here: ${why}`);
  process.exit(1);
}

const started = Date.now();
const date = new Date(started).toISOString();
const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sockftp-bench-'));
  cleanup.defer(`remove ${base}`, () => fs.rmSync(base, { recursive: true, force: true }));
  // vsftpd changes into the home directory as the user, so every directory above it must be searchable.
  fs.chmodSync(base, 0o755);
  const root = path.join(base, 'root');
  const work = path.join(base, 'work');
  for (const dir of [root, work]) fs.mkdirSync(dir);
  const user = await createLocalUser(root);
  cleanup.defer(`userdel ${user.login.user}`, () => user.remove());

  console.log(`${plan.mode} run; writing the fixture in ${base} ...`);
  const fixture = Fixture.build(root, plan, user);
  const sampler = new RssSampler();
  cleanup.defer('stop the memory sampler', () => sampler.stop());

  const baselineCli = plan.baselineCli;
  const starters: Record<ServerName | typeof BASELINE, ServerStarter> = {
    sockftp: (setup) => startSockftp(setup, plan.sockftpCli),
    // The same build with its addon off: what a machine without a C compiler gets, in its own column.
    'sockftp-js': async (setup) => {
      const js = await startSockftp(setup, plan.sockftpCli, [], { ...process.env, SOCKFTP_NO_NATIVE: '1' });
      return { ...js, name: SOCKFTP_JS, version: `${js.version} (JavaScript path)`, command: `SOCKFTP_NO_NATIVE=1 ${js.command}` };
    },
    // Another build, started exactly as sockftp is (its own CLI writes its own users file).
    [BASELINE]: async (setup) => {
      if (baselineCli === null) throw new Error('no --baseline was given');
      const build = await startSockftp(setup, baselineCli);
      return { ...build, name: BASELINE, version: `${build.version} (baseline)` };
    },
    vsftpd: startVsftpd,
    'pure-ftpd': startPureFtpd,
    proftpd: startProftpd,
    pyftpdlib: startPyftpdlib,
    'ftp-srv': startFtpSrv,
  };
  // The baseline's column comes right after sockftp's, so the two builds sit side by side in the table.
  const names = plan.servers.flatMap((name): (ServerName | typeof BASELINE)[] => (name === SOCKFTP && baselineCli !== null ? [name, BASELINE] : [name]));
  const blocks = passiveBlocks(names.length, PASSIVE_BLOCK);
  const servers: BenchServer[] = [];
  const described: Record<string, unknown> = {};
  const unavailable: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const confDir = path.join(base, name === BASELINE ? 'conf-sockftp-baseline' : `conf-${name}`);
    fs.mkdirSync(confDir);
    const passivePorts = blocks[i];
    try {
      const server = await starters[name]({ root, login: user.login, confDir, passivePorts, maxClients: MAX_CLIENTS });
      cleanup.defer(`stop ${name}`, () => server.stop());
      servers.push(server);
      described[name] = { version: server.version, command: server.command, passivePorts };
      console.log(`started ${server.version} on port ${server.port}, passive ports ${passivePorts.join('-')}`);
    } catch (err) {
      // A peer that cannot run here is reported as such; the others are still compared.
      unavailable[name] = (err as Error).message;
      console.error(`${name} is left out: ${(err as Error).message}`);
    }
  }
  if (!servers.some((s) => s.name === SOCKFTP)) throw new Error(`sockftp did not start: ${unavailable[SOCKFTP]}`);
  // A run asked to compare two builds is worth nothing with one of them.
  if (baselineCli !== null && !servers.some((s) => s.name === BASELINE)) throw new Error(`the baseline did not start: ${unavailable[BASELINE]}`);
  const baseline = baselineCli === null ? null : { cli: baselineCli, commit: await sockftpCommit(baselineCli) };

  await delay(SETTLE_MS);
  const idle = new Map<string, number>();
  for (const server of servers) idle.set(server.name, (await sampler.request('watch', server.pid)).nowKiB / 1024);

  const tests: BenchTest[] = [
    bigRetrieveTest(plan.bigBytes, plan.bigRepetitions),
    bigStoreTest(plan.bigBytes, plan.bigRepetitions),
    smallFilesTest(plan.smallFiles, plan.smallFileBytes, plan.smallRepetitions),
    listingsTest(plan.listEntries, plan.listRepetitions),
    ...plan.clientCounts.map((count) => manyClientsTest(count, plan.clientFileBytes, plan.clientRepetitions)),
  ];
  const runs: Runs = await runInterleaved(tests, servers, { fixture, work, login: user.login }, sampler);
  runs['memory'] = {};
  for (const server of servers) {
    const { overallKiB } = await sampler.request('read', server.pid);
    runs['memory'][server.name] = [{ values: { idleRssMiB: idle.get(server.name)!, peakRssMiB: overallKiB / 1024 } }];
  }

  const summary = summarize(reportRows(plan), runs, names);
  const table = markdownTable(summary, names);
  const durationSeconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${table}\n`);
  if (baseline)
    console.log(`sockftp vs baseline: the current build against ${baseline.cli} (commit ${baseline.commit}); above 1.00x the current build did better\n`);
  for (const [name, reason] of Object.entries(unavailable)) console.log(`${name} did not run: ${reason.split('\n')[0]}`);
  const files = writeResults({
    date,
    mode: plan.mode,
    command: commandLine(),
    durationSeconds,
    machine: describeMachine(),
    plan,
    servers: described,
    unavailable,
    baseline,
    table,
    summary,
    runs,
  });
  console.log(`${plan.mode} run took ${Math.round(durationSeconds / 60)} min; results in ${files.map((f) => path.relative(process.cwd(), f)).join(' and ')}`);
} catch (err) {
  console.error(`the benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
