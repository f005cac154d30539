/**
 * testssl.sh, a TLS scanner nobody here wrote, against the real server: its
 * explicit FTPS (AUTH TLS on the control port) and its HTTPS web door. It
 * checks protocols, cipher categories, forward secrecy, the server's cipher
 * order, the server defaults and every vulnerability it knows (client
 * renegotiation and compression among them). A door fails on any finding
 * testssl rates LOW or worse, except the two that any self-signed
 * certificate gets, and on any check that did not run to a conclusion.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { removeDir, tempDir } from '../helpers/files.js';
import { hasProgram } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { tlsArgs } from './support.js';

/** Debian's testssl.sh package installs the script as `testssl`; upstream calls it testssl.sh. */
const TESTSSL = (await hasProgram('testssl')) ? 'testssl' : (await hasProgram('testssl.sh')) ? 'testssl.sh' : null;
if (TESTSSL === null && process.env.CI) throw new Error('CI is set but testssl.sh is missing (.ci/run installs it)');
const skip = TESTSSL === null ? 'testssl.sh is not installed (.ci/run installs it)' : false;

/**
 * Protocols (-p), cipher categories (-s), forward secrecy (-f), server
 * preference (-P), server defaults and the certificate (-S), and all
 * vulnerabilities (-U: renegotiation, CRIME, ROBOT, LUCKY13...). Not the
 * one-by-one cipher list (-E) nor the client simulations (-c): they add a
 * minute and conclude nothing the categories do not. No DNS (the target is an
 * address), no questions asked, 5 s for any one openssl call.
 */
const CHECKS = ['-p', '-s', '-f', '-P', '-S', '-U'];
const QUIET = ['--quiet', '--color', '0', '--warnings', 'batch', '--nodns', 'none', '--openssl-timeout', '5'];
/** A bound for a run that hangs, not a limit on a slow one: a run takes about a minute. */
const RUN_LIMIT_MS = 6 * 60_000;

/** testssl's severities for something wrong; the others are OK, INFO, WARN (a local or network hiccup) and DEBUG. */
const PROBLEMS = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'FATAL']);

/**
 * What testssl finds wrong with any self-signed certificate, and nothing
 * else: it chains to no trusted root, and names no CRL or OCSP responder.
 * (support.ts's certificate is valid for months and names 127.0.0.1 in its
 * SAN, so testssl has nothing to say of its expiry or its names.)
 */
const SELF_SIGNED: ReadonlyMap<string, RegExp> = new Map([
  ['cert_chain_of_trust', /^failed \(self signed\)\.?$/],
  ['cert_revocation', /^Neither CRL nor OCSP URI provided$/],
]);

/** Checks every door must have run to a conclusion: one missing, or only WARN (gave up) or DEBUG (testssl's own bug), fails. */
const MUST_CONCLUDE = [
  ...['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3'],
  ...['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA', 'cipherlist_AVERAGE', 'cipherlist_STRONG'],
  ...['PFS', 'cipher_order'],
  ...['heartbleed', 'CCS', 'ROBOT', 'secure_renego', 'secure_client_renego', 'CRIME_TLS', 'POODLE_SSL', 'fallback_SCSV'],
  ...['SWEET32', 'FREAK', 'DROWN', 'LOGJAM', 'BEAST', 'LUCKY13', 'RC4'],
];

interface Finding {
  readonly id: string;
  readonly severity: string;
  readonly finding: string;
}

const show = (f: Finding) => `${f.id} ${f.severity}: ${f.finding}`;

/**
 * Runs testssl against `target` and returns its findings (--jsonfile). It
 * runs in a process group of its own, since it starts many openssl
 * processes: the group is killed at RUN_LIMIT_MS, and when the test ends
 * (pass, fail or timeout) if it is still running.
 */
async function scan(t: TestContext, target: readonly string[]): Promise<Finding[]> {
  const dir = tempDir('sockftp-testssl-');
  t.after(() => removeDir(dir));
  const jsonFile = path.join(dir, 'findings.json');
  const child = spawn(TESTSSL!, [...QUIET, ...CHECKS, '--jsonfile', jsonFile, ...target], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const running = () => child.exitCode === null && child.signalCode === null;
  const killGroup = () => {
    try {
      if (running()) process.kill(-child.pid!, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  t.after(killGroup);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const limit = setTimeout(killGroup, RUN_LIMIT_MS);
  const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(limit);
  assert.equal(signal, null, `testssl was killed (${signal}) before it finished:\n${output}`);
  t.diagnostic(output.split('\n').find((line) => line.includes(' Done ')) ?? 'testssl printed no end line');
  assert.ok(fs.existsSync(jsonFile), `testssl wrote no findings:\n${output}`);
  return JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Finding[];
}

/** The findings that fail a door: problems outside SELF_SIGNED, and MUST_CONCLUDE checks missing or inconclusive. */
function failures(findings: readonly Finding[]): string[] {
  const problems = findings.filter((f) => PROBLEMS.has(f.severity) && !SELF_SIGNED.get(f.id)?.test(f.finding)).map(show);
  const inconclusive = MUST_CONCLUDE.flatMap((id) => {
    const found = findings.filter((f) => f.id === id);
    if (found.length === 0) return [`${id}: not in testssl's findings`];
    return found.filter((f) => f.severity !== 'OK' && f.severity !== 'INFO' && !PROBLEMS.has(f.severity)).map(show);
  });
  return [...problems, ...inconclusive];
}

/** Protocol findings: only TLS 1.2 and 1.3 offered (Mozilla's intermediate profile). */
function protocols(findings: readonly Finding[]): Record<string, string> {
  const ids = ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3'];
  return Object.fromEntries(ids.map((id) => [id, /^offered/.test(findings.find((f) => f.id === id)?.finding ?? '') ? 'offered' : 'not offered']));
}

const ONLY_TLS12_AND_13 = { SSLv2: 'not offered', SSLv3: 'not offered', TLS1: 'not offered', TLS1_1: 'not offered', TLS1_2: 'offered', TLS1_3: 'offered' };

/** The server with explicit FTPS and the HTTPS web door, both on loopback, stopped when the test ends. */
async function serverWithTls(t: TestContext): Promise<RunningServer> {
  const dir = tempDir('sockftp-testssl-server-');
  t.after(() => removeDir(dir));
  fs.mkdirSync(path.join(dir, 'root'));
  const args = [...tlsArgs(dir), '--http-address', '127.0.0.1:0', '--http-staging-dir', path.join(dir, 'staging')];
  const server = await startServer(path.join(dir, 'root'), args);
  t.after(() => server.stop());
  return server;
}

describe('testssl.sh against every TLS door', { skip, concurrency: true }, () => {
  it('finds nothing wrong with explicit FTPS (AUTH TLS) but the self-signed certificate', async (t) => {
    const server = await serverWithTls(t);
    const findings = await scan(t, ['--starttls', 'ftp', `${server.host}:${server.port}`]);
    assert.deepEqual(protocols(findings), ONLY_TLS12_AND_13);
    assert.deepEqual(failures(findings), []);
  });

  it('finds nothing wrong with the HTTPS web door but the self-signed certificate', async (t) => {
    const server = await serverWithTls(t);
    const web = /web at (https:\/\/\S+)/.exec(server.output())?.[1];
    assert.ok(web, `no web URL in the start line:\n${server.output()}`);
    const findings = await scan(t, [`${web}/`]);
    assert.deepEqual(protocols(findings), ONLY_TLS12_AND_13);
    assert.deepEqual(failures(findings), []);
  });
});
