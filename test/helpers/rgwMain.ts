/**
 * One Ceph RGW by hand, for development and benchmarks:
 *
 *   node dist/test/helpers/rgwMain.js [--max-seconds N] [--memstore-bytes N]
 *
 * prints one line of JSON, {endpoint, region, accessKeyId, secretAccessKey,
 * bucket} with a bucket made for it, then runs until SIGTERM or SIGINT, until
 * its standard input closes, or for N seconds (3600 unless told), and stops
 * every daemon it started. `npm test` runs every file under dist/test/, this
 * one too: under the test runner it does nothing.
 */
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startRgw } from './rgw.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'max-seconds': { type: 'string', default: '3600' }, 'memstore-bytes': { type: 'string' } } });
  const maxSeconds = Number(values['max-seconds']);
  const memstoreBytes = values['memstore-bytes'] === undefined ? undefined : Number(values['memstore-bytes']);
  if (!(maxSeconds > 0) || (memstoreBytes !== undefined && !(memstoreBytes > 0))) {
    console.error('usage: rgwMain.js [--max-seconds N] [--memstore-bytes N]');
    return 2;
  }
  const started = await startRgw({ memstoreBytes });
  if (!started.rgw) {
    console.error(started.reason);
    return 1;
  }
  const { rgw } = started;
  try {
    const bucket = await rgw.createBucket();
    const { endpoint, region, accessKeyId, secretAccessKey } = rgw;
    console.log(JSON.stringify({ endpoint, region, accessKeyId, secretAccessKey, bucket }));
    const stopping = new AbortController();
    const { signal } = stopping;
    const why = await Promise.race([
      once(process, 'SIGTERM', { signal }).then(() => 'SIGTERM'),
      once(process, 'SIGINT', { signal }).then(() => 'SIGINT'),
      once(process.stdin.resume(), 'end', { signal }).then(() => 'standard input closed'),
      delay(maxSeconds * 1000, `${maxSeconds} s passed`, { signal }),
    ]);
    stopping.abort();
    process.stdin.pause();
    console.error(`stopping Ceph RGW: ${why}`);
    return 0;
  } finally {
    await rgw.stop();
  }
}

if (!process.env.NODE_TEST_CONTEXT) process.exitCode = await main();
