/**
 * The protocol suite (backendSuite.ts) on S3Storage over a real Ceph RGW
 * bucket, and what a client sees when the object store dies under it: a
 * 451 (or 426) for the transfer, nothing half-written in the bucket, the
 * server still serving, and a new session working once the store is back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/storage/s3/client.js';
import { S3Storage } from '../../src/storage/s3/S3Storage.js';
import { s3Settings } from '../../src/storage/s3/settings.js';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { MiB } from '../helpers/files.js';
import { startRgw, withRgwEnv } from '../helpers/rgw.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { write } from '../storage/contract.js';
import { runBackendSuite } from './backendSuite.js';

const start = await startRgw();
const rgw = start.rgw;
after(() => rgw?.stop());

/** The server's own client finds the keys through the SDK's standard chain, as `sockftp serve` does. */
if (rgw) withRgwEnv(rgw, process.env);
const settings = () => s3Settings({ endpoint: rgw!.endpoint, region: rgw!.region, forcePathStyle: true, partBytes: 5 * MiB, queueSize: 2 });
const newStorage = async (bucket?: string) =>
  new S3Storage(createS3Client(settings()), { bucket: bucket ?? (await rgw!.createBucket()), prefix: 'served/' }, settings());

if (rgw) runBackendSuite('S3Storage (RGW)', () => newStorage(), { bigBytes: 12 * MiB + 3 });

describe('FTP on S3 confined to its prefix', { skip: start.reason ?? false }, () => {
  it('reaches nothing outside the served prefix, however the path is spelled', async (t) => {
    const bucket = await rgw!.createBucket();
    for (const key of ['secret.txt', 'served-other/secret.txt', 'servedx', 'served/inside.txt']) {
      await rgw!.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('must not be served'), ContentLength: 18 }));
    }
    const server = await startTestServer({ storage: await newStorage(bucket) });
    t.after(() => server.stop());
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const p of ['../secret.txt', '/../secret.txt', '..\\secret.txt', '../served-other/secret.txt', '/../../servedx', 'sub/../../secret.txt']) {
      const retr = await conn.receive(`RETR ${p}`);
      assert.equal(retr.preliminary.code, 550, `RETR ${p}`);
      await conn.expect(`SIZE ${p}`, 550);
    }
    await conn.expect('CWD ..', 250);
    assert.match((await conn.expect('PWD', 257)).text, /^"\/"/);
    const names = (await conn.receive('NLST ..')).data.toString().split('\r\n').filter(Boolean);
    assert.deepEqual(names, ['inside.txt']);
  });
});

describe('FTP on S3 when the object store goes away', { skip: start.reason ?? false }, () => {
  let bucket: string;
  let server: TestServer;

  before(async () => {
    bucket = await rgw!.createBucket();
    server = await startTestServer({ storage: await newStorage(bucket) });
  });
  after(() => server?.stop());

  it('answers 451 for an upload and a download cut by the store dying, leaves nothing half-written, and serves again once it is back', async (t) => {
    const storage = await newStorage(bucket);
    // More than the socket buffers from the gateway through us to the client can hold (receive
    // buffers grow to 32 MiB here), so the download is still under way when the gateway dies.
    await write(storage, '/big.bin', randomBytes(64 * MiB));
    const down = await ControlConnection.login(server.port);
    t.after(() => down.close());
    await down.expect('TYPE I', 200);
    const up = await ControlConnection.login(server.port);
    t.after(() => up.close());
    await up.expect('TYPE I', 200);

    // A download under way: the first bytes have arrived when the gateway dies.
    const downData = await down.passive();
    assert.equal((await down.send('RETR big.bin')).code, 150);
    // An upload under way: a first part's worth has been sent.
    const upData = await up.passive();
    assert.equal((await up.send('STOR new.bin')).code, 150);
    await new Promise<void>((resolve) => upData.write(randomBytes(6 * MiB), () => resolve()));
    await new Promise((resolve) => downData.once('data', resolve));
    downData.pause();

    await rgw!.stopGateway('SIGKILL');
    upData.end(randomBytes(MiB));
    downData.resume();
    const upFinal = await up.read(120_000);
    assert.ok([451, 426].includes(upFinal.code), `upload: ${upFinal.code} ${upFinal.text}`);
    const downFinal = await down.read(120_000);
    assert.ok([451, 426].includes(downFinal.code), `download: ${downFinal.code} ${downFinal.text}`);
    // The sessions go on: a listing now fails cleanly while the store is down.
    assert.equal((await up.receive('LIST')).preliminary.code, 451);

    await rgw!.startGateway();
    const listing = await rgw!.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'served/' }));
    assert.deepEqual(
      (listing.Contents ?? []).map((o) => o.Key),
      ['served/big.bin'],
    );
    const fresh = await ControlConnection.login(server.port);
    t.after(() => fresh.close());
    await fresh.expect('TYPE I', 200);
    assert.equal((await fresh.sendData('STOR after.bin', Buffer.from('fine'))).final.code, 226);
    assert.equal((await fresh.receive('RETR after.bin')).data.toString(), 'fine');
    // The upload the dead store cut short was aborted, or is left for the sweep: none is ever visible as an object.
    const uploads = await rgw!.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.ok((uploads.Uploads ?? []).every((u) => u.Key === 'served/new.bin'));
  });
});
