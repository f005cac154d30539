/**
 * sockftp on an S3 bucket beside what people run today, measured interleaved
 * (npm run bench -- --s3 [--quick]): one Ceph RGW on loopback with one
 * bucket, served by sockftp (`serve s3://BUCKET`) and by vsftpd on an s3fs
 * mount of the same bucket, with the raw SDK in this process as the ceiling.
 * Prints a table and writes bench/results/*-s3-*.json. Needs root (vsftpd's
 * local user, the FUSE mount). See "On S3" in bench/README.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { BenchPlan } from './BenchPlan.js';
import { Cleanup } from './Cleanup.js';
import type { BenchTest } from './measure/BenchTest.js';
import { listingsOnS3, manyClientsOnS3, putFixture, retrieveOnS3, shadowFixture, smallFilesOnS3, storeOnS3 } from './measure/onS3.js';
import { RssSampler } from './memory/RssSampler.js';
import { REPO_ROOT, RESULTS_DIR } from './paths.js';
import { commandLine, describeMachine } from './report/machine.js';
import { writeResults } from './report/resultsFile.js';
import type { Runs } from './report/summarize.js';
import { runInterleaved } from './runInterleaved.js';
import { HUGE_STORE, PEER, s3Rows, SDK, s3Summary, s3Table, SOCKFTP, uploadMemory } from './s3/report.js';
import { memstoreBytes, s3Plan } from './s3/S3Plan.js';
import { startStore } from './s3/store.js';
import type { BenchServer } from './servers/BenchServer.js';
import { createLocalUser, localUserUnavailable } from './servers/localUser.js';
import { passiveBlocks } from './servers/ports.js';
import { mountS3fs, startVsftpdOnS3fs } from './servers/s3fs.js';
import { startSockftpOnS3 } from './servers/sockftpS3.js';

const PASSIVE_BLOCK = 1000;
const MAX_CLIENTS = 1000;
const SETTLE_MS = 2_000;
/** sockftp, vsftpd on s3fs, the raw SDK: each writes its own uploads. */
const CONTENDERS = 3;

/** The whole run; resolves with the exit code. */
export async function runOnS3(options: BenchPlan): Promise<number> {
  const plan = s3Plan(options);
  const why = localUserUnavailable();
  if (why) {
    console.error(`the benchmark cannot run here: ${why}`);
    return 1;
  }
  const started = Date.now();
  const date = new Date(started).toISOString();
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sockftp-bench-s3-'));
    cleanup.defer(`remove ${base}`, () => fs.rmSync(base, { recursive: true, force: true }));
    // vsftpd changes into the mount as the user, so every directory above it must be searchable.
    fs.chmodSync(base, 0o755);
    const [mountDir, shadowDir, work] = ['mnt', 'shadow', 'work'].map((name) => path.join(base, name)) as [string, string, string];
    for (const dir of [mountDir, shadowDir, work]) fs.mkdirSync(dir, { mode: 0o755 });

    const storeBytes = memstoreBytes(plan, CONTENDERS);
    console.log(`${plan.mode} run; starting Ceph RGW (memstore ${(storeBytes / 2 ** 30).toFixed(1)} GiB) in ${base} ...`);
    const bucket = await startStore(storeBytes, cleanup);
    const { rgw } = bucket;
    const s3 = { bucket: bucket.name, endpoint: rgw.endpoint, env: rgw.env() };
    console.log(`bucket ${bucket.name} on ${rgw.endpoint}; writing the fixture objects ...`);
    await putFixture(bucket, plan);

    const user = await createLocalUser(mountDir);
    cleanup.defer(`userdel ${user.login.user}`, () => user.remove());
    const fixture = shadowFixture(shadowDir, user);
    const confDir = (name: string) => {
      const dir = path.join(base, `conf-${name}`);
      fs.mkdirSync(dir);
      return dir;
    };
    const mount = await mountS3fs(s3, mountDir, confDir('s3fs'), user);
    cleanup.defer(`unmount ${mountDir}`, () => mount.unmount());

    const [sockftpPorts, vsftpdPorts] = passiveBlocks(2, PASSIVE_BLOCK) as [[number, number], [number, number]];
    const setup = { login: user.login, maxClients: MAX_CLIENTS };
    const sockftp = await startSockftpOnS3({ ...setup, confDir: confDir(SOCKFTP), passivePorts: sockftpPorts }, s3, plan.sockftpCli);
    cleanup.defer('stop sockftp', () => sockftp.stop());
    const vsftpd = await startVsftpdOnS3fs({ ...setup, root: mountDir, confDir: confDir(PEER), passivePorts: vsftpdPorts }, mount);
    cleanup.defer('stop vsftpd', () => vsftpd.stop());
    const servers: BenchServer[] = [sockftp, vsftpd];
    for (const server of servers) console.log(`started ${server.version} on port ${server.port}`);

    const sampler = new RssSampler();
    cleanup.defer('stop the memory sampler', () => sampler.stop());
    await delay(SETTLE_MS);
    // vsftpd on s3fs is two programs: s3fs's memory counts too.
    const rssMiB = async (op: 'watch' | 'read', pid: number) => {
      const reading = await sampler.request(op, pid);
      return { now: reading.nowKiB / 1024, overall: reading.overallKiB / 1024 };
    };
    const idle = {
      [SOCKFTP]: (await rssMiB('watch', sockftp.pid)).now,
      [PEER]: (await rssMiB('watch', vsftpd.pid)).now + (await rssMiB('watch', mount.pid)).now,
    };

    const context = { fixture, work, login: user.login };
    const tests = [
      retrieveOnS3(bucket, plan.bigBytes, plan.bigRepetitions),
      storeOnS3('stor-big', bucket, plan.bigBytes, plan.bigRepetitions, true),
      smallFilesOnS3(bucket, plan.smallFiles, plan.smallFileBytes, plan.smallRepetitions),
      listingsOnS3(bucket, plan.listEntries, plan.listRepetitions),
      manyClientsOnS3(bucket, plan.clientCount, plan.clientFileBytes, plan.clientRepetitions),
    ];
    const rawSdk = sdkContender();
    const runs: Runs = await runInterleaved(
      tests.map((test) => inTurn(withS3fsMemory(test, sampler, mount.pid), rawSdk)),
      [...servers, rawSdk],
      context,
      sampler,
    );
    for (const subjects of Object.values(runs)) {
      subjects[PEER] = subjects[PEER]?.map((r) => ({
        ...r,
        values: { ...r.values, peakRssMiB: (r.values['peakRssMiB'] ?? 0) + (r.values['s3fsPeakRssMiB'] ?? 0) },
      }));
      // The sampler watched this process: the bench's memory, not the SDK's.
      subjects[SDK] = subjects[SDK]?.map((r) => ({ ...r, values: { ...r.values, peakRssMiB: null } }));
    }
    // The 1 GiB upload is about sockftp's memory alone.
    Object.assign(runs, await runInterleaved([storeOnS3(HUGE_STORE, bucket, plan.hugeBytes, plan.hugeRepetitions, false)], [sockftp], context, sampler));
    const s3fsPeak = (await rssMiB('read', mount.pid)).overall;
    runs['memory'] = {
      [SOCKFTP]: [{ values: { idleRssMiB: idle[SOCKFTP], peakRssMiB: (await rssMiB('read', sockftp.pid)).overall } }],
      [PEER]: [
        { values: { idleRssMiB: idle[PEER], peakRssMiB: (await rssMiB('read', vsftpd.pid)).overall + s3fsPeak }, details: { s3fsPeakRssMiB: s3fsPeak } },
      ],
    };

    const memory = uploadMemory(idle[SOCKFTP], runs['stor-big']?.[SOCKFTP] ?? []);
    const summary = s3Summary(s3Rows(plan, memory), runs);
    const table = s3Table(summary);
    const durationSeconds = Math.round((Date.now() - started) / 1000);
    console.log(`\n${table}\n`);
    const servedBy = Object.fromEntries([...servers, rawSdk].map((s) => [s.name, { version: s.version, command: s.command }]));
    const files = keepingLatest(() =>
      writeResults({
        date,
        mode: plan.mode,
        command: commandLine(),
        durationSeconds,
        machine: describeMachine(),
        plan: { ...plan, memstoreBytes: storeBytes, uploadMemory: memory },
        servers: servedBy,
        store: { rgw: 'Ceph RGW 16 (radosgw), beast with tcp_nodelay=1, one memstore OSD', endpoint: rgw.endpoint, bucket: bucket.name },
        table,
        summary,
        runs,
      }),
    );
    console.log(`${plan.mode} run took ${Math.round(durationSeconds / 60)} min; results in ${files.map((f) => path.relative(process.cwd(), f)).join(' and ')}`);
    return 0;
  } catch (err) {
    console.error(`the benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    await cleanup.run();
  }
}

/**
 * The raw SDK as a contender of its own, so that it takes its turn in the
 * rotation with the servers instead of always coming last, as a ceiling does.
 */
function sdkContender(): BenchServer {
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@aws-sdk/client-s3/package.json'), 'utf8')) as { version: string };
  return {
    name: SDK,
    port: 0,
    pid: process.pid,
    version: `@aws-sdk/client-s3 ${version}`,
    command: '(in the bench process)',
    output: () => '',
    stop: async () => {},
  };
}

/** `test`, whose ceiling is what it measures when `sdk`'s turn comes. */
function inTurn(test: BenchTest, sdk: BenchServer): BenchTest {
  const { ceiling, ...rest } = test;
  if (!ceiling) throw new Error(`${test.id} has no SDK measurement`);
  return { ...rest, measure: (server, context) => (server === sdk ? ceiling(context) : test.measure(server, context)) };
}

/**
 * vsftpd on s3fs is two programs, and the sampler follows one process tree:
 * s3fs's peak during each of vsftpd's measurements is added to vsftpd's
 * (a sum of two peaks, so at most a little above the pair's real peak), and
 * kept apart as s3fsPeakRssMiB.
 */
function withS3fsMemory(test: BenchTest, sampler: RssSampler, s3fsPid: number): BenchTest {
  return {
    ...test,
    async measure(server, context) {
      if (server.name !== PEER) return test.measure(server, context);
      await sampler.request('mark', s3fsPid);
      const measured = await test.measure(server, context);
      const s3fsPeakRssMiB = (await sampler.request('read', s3fsPid)).sinceMarkKiB / 1024;
      return { ...measured, values: { ...measured.values, s3fsPeakRssMiB } };
    },
  };
}

/**
 * writeResults also writes latest.json, which is the run on a local tree's
 * (the README's figures point there): the S3 run keeps only its dated file
 * and puts latest.json back as it was.
 */
function keepingLatest(write: () => string[]): string[] {
  const latest = path.join(RESULTS_DIR, 'latest.json');
  const before = fs.existsSync(latest) ? fs.readFileSync(latest) : null;
  const files = write();
  if (before === null) fs.rmSync(latest);
  else fs.writeFileSync(latest, before);
  return files.filter((f) => f !== latest);
}
