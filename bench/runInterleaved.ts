/**
 * The order of a run: for each test, for each repetition, every server in
 * turn (then the client's ceiling), so that whatever drifts on the machine
 * while the run goes on hits every server alike. Each repetition starts one
 * server further on, so that none is always the first after a pause.
 */
import type { BenchTest, Measurement, TestContext } from './measure/BenchTest.js';
import type { RssSampler } from './memory/RssSampler.js';
import { CEILING, type RunRecord, type Runs } from './report/summarize.js';
import type { BenchServer } from './servers/BenchServer.js';

/** How much of a server's output a failed measurement keeps in the results file. */
const SERVER_OUTPUT_CHARS = 2000;

export async function runInterleaved(tests: readonly BenchTest[], servers: readonly BenchServer[], context: TestContext, sampler: RssSampler): Promise<Runs> {
  const runs: Runs = {};
  const keep = (test: BenchTest, subject: string, repetition: number, record: RunRecord) => {
    ((runs[test.id] ??= {})[subject] ??= []).push(record);
    console.log(`${test.id} ${repetition}/${test.repetitions} ${subject}: ${describe(record)}`);
  };
  for (const test of tests) {
    for (let repetition = 1; repetition <= test.repetitions; repetition++) {
      for (const server of rotate(servers, repetition - 1)) {
        await sampler.request('mark', server.pid);
        const record = await attempt(() => test.measure(server, context), server);
        const { sinceMarkKiB } = await sampler.request('read', server.pid);
        keep(test, server.name, repetition, { ...record, values: { ...record.values, peakRssMiB: sinceMarkKiB / 1024 } });
      }
      if (test.ceiling) keep(test, CEILING, repetition, await attempt(() => test.ceiling!(context)));
    }
  }
  return runs;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * A measurement that throws is kept as a failed run, with what the server
 * said last; one broken peer must not end the whole run.
 */
async function attempt(measure: () => Promise<Measurement>, server?: BenchServer): Promise<RunRecord> {
  try {
    return await measure();
  } catch (err) {
    return { values: {}, error: (err as Error).message, ...(server && { details: { serverOutput: server.output().slice(-SERVER_OUTPUT_CHARS) } }) };
  }
}

function describe(record: RunRecord): string {
  if (record.error !== undefined) return `FAILED: ${record.error}`;
  return Object.entries(record.values)
    .map(([name, value]) => `${name} ${value === null ? 'n/a' : Number(value.toPrecision(4))}`)
    .join(', ');
}
