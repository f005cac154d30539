/**
 * (e) Many clients at once, each connecting, logging in and RETRieving the
 * same file: aggregate MiB/s, each client's latency from connect to 226, and
 * the clients that failed (refused, timed out, cut short).
 */
import { BenchClient } from '../client/BenchClient.js';
import { Fixture } from '../Fixture.js';
import { readThrough } from '../pageCache.js';
import { MiB } from '../paths.js';
import { percentile } from '../report/statistics.js';
import type { BenchServer } from '../servers/BenchServer.js';
import type { BenchTest, TestContext } from './BenchTest.js';

type Outcome = { readonly seconds: number; readonly endedAt: number } | { readonly error: string };

export function manyClientsTest(clients: number, fileBytes: number, repetitions: number): BenchTest {
  return {
    id: `clients-${clients}`,
    repetitions,
    async measure(server, context) {
      readThrough(context.fixture.path(Fixture.CLIENT_FILE));
      const start = performance.now();
      // All connects leave in the same tick: a burst, as the listen backlog sees it.
      const outcomes = await Promise.all(Array.from({ length: clients }, () => oneClient(server, context, fileBytes)));
      const done = outcomes.filter((o) => 'seconds' in o);
      const latencies = done.map((o) => o.seconds);
      const wallSeconds = done.length === 0 ? null : (Math.max(...done.map((o) => o.endedAt)) - start) / 1000;
      return {
        values: {
          aggregateMibPerSecond: wallSeconds === null ? 0 : (done.length * fileBytes) / MiB / wallSeconds,
          latencyP50Seconds: done.length === 0 ? null : percentile(latencies, 50),
          latencyP99Seconds: done.length === 0 ? null : percentile(latencies, 99),
          failedClients: clients - done.length,
        },
        details: { failures: countReasons(outcomes.flatMap((o) => ('error' in o ? [o.error] : []))) },
      };
    },
  };
}

async function oneClient(server: BenchServer, { login }: TestContext, fileBytes: number): Promise<Outcome> {
  const began = performance.now();
  let client: BenchClient | null = null;
  try {
    client = await BenchClient.login(server.port, login);
    const received = await client.retrieve(Fixture.CLIENT_FILE);
    const endedAt = performance.now();
    if (received !== fileBytes) throw new Error(`received ${received} of ${fileBytes} bytes`);
    await client.quit();
    return { seconds: (endedAt - began) / 1000, endedAt };
  } catch (err) {
    client?.close();
    return { error: (err as Error).message };
  }
}

/** "421 Too many users" x 12: what went wrong, without 200 copies of it. */
function countReasons(reasons: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}
