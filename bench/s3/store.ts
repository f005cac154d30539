/**
 * The object store of the run: one Ceph RGW (test/helpers/rgw.ts) with a
 * memstore sized for everything the run writes, one bucket, and Nagle's
 * algorithm off on the gateway's sockets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRgw } from '../../test/helpers/rgw.js';
import type { Cleanup } from '../Cleanup.js';
import { Bucket } from './Bucket.js';

/** Ceph's memstore, the monitor and the gateway may take longer to start on a loaded machine than the tests allow. */
const START_TIMEOUT_MS = 120_000;

export async function startStore(memstoreBytes: number, cleanup: Cleanup): Promise<Bucket> {
  const { rgw, reason } = await startRgw({ memstoreBytes, startTimeoutMs: START_TIMEOUT_MS });
  if (!rgw) throw new Error(reason);
  cleanup.defer('stop Ceph RGW', () => rgw.stop());
  // RGW 16's beast front end leaves Nagle's algorithm on (tcp_nodelay=0 by default). A response on
  // a kept-alive connection then waits for the client's delayed ACK: about 40 ms per GetObject of
  // a small object, for every contender alike (22 GETs/s instead of hundreds). An operator turns it
  // on; rgw.ts writes the setting into its ceph.conf, so it is added there and the gateway restarted.
  const conf = path.join(rgw.dir, 'ceph.conf');
  const text = fs.readFileSync(conf, 'utf8');
  const withNoDelay = text.replace(/^(rgw_frontends = beast .*)$/m, '$1 tcp_nodelay=1');
  if (withNoDelay === text) throw new Error(`no beast rgw_frontends line in ${conf}`);
  fs.writeFileSync(conf, withNoDelay);
  await rgw.stopGateway();
  await rgw.startGateway();
  return new Bucket(rgw, await rgw.createBucket());
}
