/**
 * The file manager's scenarios (scenarios.ts) on S3: `sockftp serve
 * s3://BUCKET/PREFIX` over a real Ceph RGW, checked in the bucket itself.
 */
import * as path from 'node:path';
import { after } from 'node:test';
import { removeDir, tempDir } from '../helpers/files.js';
import { startRgw, withRgwEnv } from '../helpers/rgw.js';
import { browserMissing, closeBrowser, startWebServer, writeUsers } from './harness.js';
import { fileOperationScenarios } from './scenarios.js';
import { s3Store } from './store.js';

const missing = browserMissing();
const start = missing ? null : await startRgw();
const rgw = start?.rgw ?? null;
after(async () => {
  await closeBrowser();
  await rgw?.stop();
});

const USER = 'carol';
const PASSWORD = 'objects all the way down';
const PREFIX = 'web/';

fileOperationScenarios(
  'S3 (Ceph RGW)',
  async () => {
    const bucket = await rgw!.createBucket();
    const config = tempDir('sockftp-web-s3-');
    await writeUsers(path.join(config, 'users.json'), { [USER]: { password: PASSWORD } });
    const web = await startWebServer(
      `s3://${bucket}/${PREFIX.replace(/\/$/, '')}`,
      ['--s3-endpoint', rgw!.endpoint, '--s3-path-style', '--s3-part-size', '5', '--users', path.join(config, 'users.json')],
      withRgwEnv(rgw!, { ...process.env }),
    );
    return {
      url: web.url,
      store: s3Store(rgw!.client, bucket, PREFIX),
      user: USER,
      password: PASSWORD,
      stop: async () => {
        await web.stop();
        removeDir(config);
      },
    };
  },
  { skip: missing ?? start?.reason ?? false },
);
