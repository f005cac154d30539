/**
 * The interop matrix once more with the server on an object store: the real
 * CLI, `sockftp serve s3://BUCKET --s3-endpoint ... --s3-path-style`, on a
 * real Ceph RGW bucket (helpers/rgw.ts), with the keys in its environment
 * only, driven by curl, lftp, wget, Python's ftplib, basic-ftp and our own
 * client, resume both ways included. What landed is checked in the bucket
 * itself, through the SDK.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client } from 'basic-ftp';
import { CLI, CLIENT_SCRIPTS } from '../helpers/paths.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { run } from '../helpers/processes.js';
import { startRgw, withRgwEnv, type Rgw } from '../helpers/rgw.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { LOG_COMMANDS, UTF8_ENV, recordCommands, writePrefix } from './support.js';

const start = await startRgw();
const skip = start.reason ?? false;

describe('the matrix on S3', { skip }, () => {
  let rgw: Rgw;
  let bucket: string;
  let server: RunningServer;
  let work: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    rgw = start.rgw!;
    bucket = await rgw.createBucket();
    work = tempDir();
    env = withRgwEnv(rgw, { ...process.env });
    // The keys reach the server only through its environment: never on its command line.
    server = await startServer(`s3://${bucket}`, ['--s3-endpoint', rgw.endpoint, '--s3-path-style', '--s3-part-size', '5', ...LOG_COMMANDS], [], env);
  });

  after(async () => {
    await server?.stop();
    await rgw?.stop();
    if (work) removeDir(work);
  });

  const objectSha = async (key: string) => {
    const got = await rgw.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return createHash('sha256')
      .update(await got.Body!.transformToByteArray())
      .digest('hex');
  };
  const putObject = (key: string, body: Buffer) => rgw.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

  it('says it serves the bucket, and never prints the keys', () => {
    assert.match(server.output(), new RegExp(`serving s3://${bucket} at ftp://`));
    assert.ok(!server.output().includes(rgw.secretAccessKey));
    assert.ok(!server.output().includes(rgw.accessKeyId));
  });

  describe('curl', () => {
    const curl = async (...args: string[]) => {
      const result = await run('curl', ['--silent', '--show-error', '--connect-timeout', '10', '--max-time', '120', ...args], { timeoutMs: 130_000 });
      assert.equal(result.code, 0, `curl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };

    it('uploads a multipart-sized file and downloads it back, byte for byte', async () => {
      const local = path.join(work, 'curl.bin');
      const sum = randomFile(local, 12 * MiB + 5);
      await curl('-T', local, `${server.url}/curl.bin`);
      assert.equal(await objectSha('curl.bin'), sum);
      await curl('-o', path.join(work, 'curl.back'), `${server.url}/curl.bin`);
      assert.equal(await sha256File(path.join(work, 'curl.back')), sum);
    });

    it('resumes a download with -C - (REST, then a ranged GET)', async () => {
      const source = path.join(work, 'down.src');
      const sum = randomFile(source, 3 * MiB);
      await putObject('down.bin', fs.readFileSync(source));
      const partial = path.join(work, 'down.part');
      writePrefix(source, partial, 1_000_001);
      const commands = recordCommands(server);
      await curl('-C', '-', '-o', partial, `${server.url}/down.bin`);
      assert.equal(await sha256File(partial), sum);
      assert.ok((await commands()).includes('REST 1000001'));
    });

    it('resumes an upload with -C - (SIZE, then APPE onto the object), below and above 5 MiB', async () => {
      for (const [name, size, cut] of [
        ['up-small.bin', 3 * MiB, 1_000_003],
        ['up-big.bin', 9 * MiB, 6 * MiB + 11],
      ] as const) {
        const local = path.join(work, name);
        const sum = randomFile(local, size);
        await putObject(name, fs.readFileSync(local).subarray(0, cut));
        const commands = recordCommands(server);
        await curl('-C', '-', '-T', local, `${server.url}/${name}`);
        assert.equal(await objectSha(name), sum, name);
        assert.ok((await commands()).includes(`APPE ${name}`));
      }
    });
  });

  describe('lftp', () => {
    const lftp = async (commands: string) => {
      const script = `set net:max-retries 1; set net:timeout 20; set cmd:fail-exit yes; open -u anonymous,x ${server.url}; ${commands}`;
      const result = await run('lftp', ['-c', script], { env: UTF8_ENV, timeoutMs: 120_000 });
      assert.equal(result.code, 0, `lftp -c '${script}': ${result.stderr}`);
      return result.stdout;
    };

    it('mirrors a tree up and down, byte for byte', async () => {
      const up = path.join(work, 'lftp-up');
      fs.mkdirSync(path.join(up, 'a', 'b c'), { recursive: true });
      const sums = [randomFile(path.join(up, 'one.bin'), 100_000), randomFile(path.join(up, 'a', 'b c', 'two.bin'), 7 * MiB)];
      await lftp(`mirror -R "${up}" /lftp-tree`);
      assert.equal(await objectSha('lftp-tree/one.bin'), sums[0]);
      assert.equal(await objectSha('lftp-tree/a/b c/two.bin'), sums[1]);
      const down = path.join(work, 'lftp-down');
      await lftp(`mirror /lftp-tree "${down}"`);
      assert.equal(await sha256File(path.join(down, 'one.bin')), sums[0]);
      assert.equal(await sha256File(path.join(down, 'a', 'b c', 'two.bin')), sums[1]);
    });

    it('continues a cut download with get -c and a cut upload with put -c', async () => {
      const source = path.join(work, 'lftp-c.src');
      const sum = randomFile(source, 6 * MiB);
      await putObject('lftp-c.bin', fs.readFileSync(source));
      const partial = path.join(work, 'lftp-c.part');
      writePrefix(source, partial, 2 * MiB + 1);
      await lftp(`get -c lftp-c.bin -o "${partial}"`);
      assert.equal(await sha256File(partial), sum);
      await putObject('lftp-up-c.bin', fs.readFileSync(source).subarray(0, 5 * MiB + 3));
      await lftp(`put -c "${source}" -o lftp-up-c.bin`);
      assert.equal(await objectSha('lftp-up-c.bin'), sum);
    });
  });

  it('wget downloads a tree recursively', async () => {
    await putObject('wget/x.txt', Buffer.from('x'));
    await putObject('wget/deep/y.bin', Buffer.alloc(70_000, 7));
    const result = await run('wget', ['-q', '-r', '-nH', '-P', path.join(work, 'wget'), `${server.url}/wget/`], { env: UTF8_ENV, timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(fs.readFileSync(path.join(work, 'wget', 'wget', 'x.txt'), 'utf8'), 'x');
    assert.ok(fs.readFileSync(path.join(work, 'wget', 'wget', 'deep', 'y.bin')).equals(Buffer.alloc(70_000, 7)));
  });

  it("Python's ftplib runs a whole session", async () => {
    const up = path.join(work, 'py.bin');
    const sum = randomFile(up, 6 * MiB);
    const result = await run('python3', [path.join(CLIENT_SCRIPTS, 'ftplib_session.py'), server.host, String(server.port), up, path.join(work, 'py.back')], {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(seen['size'], 6 * MiB);
    assert.match(String(seen['retr']), /^226/);
    assert.match(String(seen['rmd']), /^250/);
    assert.equal(await sha256File(path.join(work, 'py.back')), sum);
  });

  it('basic-ftp lists, uploads and downloads', async () => {
    const client = new Client(20_000);
    try {
      await client.access({ host: server.host, port: server.port });
      const local = path.join(work, 'bf.bin');
      const sum = randomFile(local, 2 * MiB);
      await client.ensureDir('/bf dir');
      await client.uploadFrom(local, 'bf.bin');
      assert.equal(await objectSha('bf dir/bf.bin'), sum);
      const names = (await client.list()).map((e) => e.name);
      assert.deepEqual(names, ['bf.bin']);
      await client.downloadTo(path.join(work, 'bf.back'), 'bf.bin');
      assert.equal(await sha256File(path.join(work, 'bf.back')), sum);
    } finally {
      client.close();
    }
  });

  it('our client uploads, downloads and resumes both ways, checking SHA-256 with the server', async () => {
    const sockftp = (args: string[], cwd = work) => run(process.execPath, [CLI, ...args], { cwd, env, timeoutMs: 120_000 });
    const local = path.join(work, 'ours.bin');
    const sum = randomFile(local, 8 * MiB);
    const put = await sockftp(['put', '--verify', local, `${server.url}/ours.bin`]);
    assert.equal(put.code, 0, put.stdout + put.stderr);
    assert.equal(await objectSha('ours.bin'), sum);
    // A cut download, completed with -c.
    const partial = path.join(work, 'ours.down');
    writePrefix(local, partial, 3 * MiB);
    const get = await sockftp(['get', '-c', `${server.url}/ours.bin`, partial]);
    assert.equal(get.code, 0, get.stdout + get.stderr);
    assert.equal(await sha256File(partial), sum);
    // A cut upload, completed with -c (SIZE, then REST + STOR onto the object).
    await putObject('ours-up.bin', fs.readFileSync(local).subarray(0, 5 * MiB + 7));
    const resume = await sockftp(['put', '-c', '--verify', local, `${server.url}/ours-up.bin`]);
    assert.equal(resume.code, 0, resume.stdout + resume.stderr);
    assert.equal(await objectSha('ours-up.bin'), sum);
  });
});
