/**
 * The sampling thread of RssSampler: every 50 ms, the resident memory of each
 * watched server's process tree. On a thread of its own, so that neither the
 * client's event loop delays the samples nor the samples stall the client.
 */
import { parentPort } from 'node:worker_threads';
import { treeRssKiB } from '../servers/processTree.js';
import type { RssReading, RssRequest } from './RssSampler.js';

const INTERVAL_MS = 50;

const peaks = new Map<number, { sinceMarkKiB: number; overallKiB: number }>();

/** Samples one tree now and folds the sample into its peaks. */
function sample(pid: number): RssReading {
  const nowKiB = treeRssKiB(pid);
  const peak = peaks.get(pid) ?? { sinceMarkKiB: 0, overallKiB: 0 };
  peak.sinceMarkKiB = Math.max(peak.sinceMarkKiB, nowKiB);
  peak.overallKiB = Math.max(peak.overallKiB, nowKiB);
  peaks.set(pid, peak);
  return { nowKiB, ...peak };
}

setInterval(() => {
  for (const pid of peaks.keys()) sample(pid);
}, INTERVAL_MS);

parentPort!.on('message', ({ id, op, pid }: RssRequest) => {
  if (op === 'mark') peaks.set(pid, { sinceMarkKiB: 0, overallKiB: peaks.get(pid)?.overallKiB ?? 0 });
  const reading = sample(pid);
  if (op === 'unwatch') peaks.delete(pid);
  parentPort!.postMessage({ id, reading });
});
