/** The web door's file actions (storageSuite.ts) on S3Storage over a real Ceph RGW bucket: multipart upload at commit, ranged GETs, copy + delete renames. */
import { after } from 'node:test';
import { createS3Client } from '../../src/storage/s3/client.js';
import { S3Storage } from '../../src/storage/s3/S3Storage.js';
import { s3Settings } from '../../src/storage/s3/settings.js';
import { MiB } from '../helpers/files.js';
import { startRgw, withRgwEnv } from '../helpers/rgw.js';
import { runWebStorageSuite } from './storageSuite.js';

const start = await startRgw();
const rgw = start.rgw;
after(() => rgw?.stop());

if (rgw) withRgwEnv(rgw, process.env);
const settings = () => s3Settings({ endpoint: rgw!.endpoint, region: rgw!.region, forcePathStyle: true, partBytes: 5 * MiB, queueSize: 2 });

// Past one 5 MiB part, so the upload's commit is a real multipart upload.
if (rgw)
  runWebStorageSuite(
    'S3Storage (RGW)',
    async () => new S3Storage(createS3Client(settings()), { bucket: await rgw.createBucket(), prefix: 'web/' }, settings()),
    { bigBytes: 12 * MiB + 3 },
  );
