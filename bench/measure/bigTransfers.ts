/** (a) RETR and (b) STOR of one big file, MiB/s, each beside the client's own ceiling. */
import * as fs from 'node:fs';
import { Fixture } from '../Fixture.js';
import { readThrough, useFreshMemory } from '../pageCache.js';
import { MiB } from '../paths.js';
import { inSession, scratchName, secondsSince, type BenchTest } from './BenchTest.js';
import { receiveCeiling, sendCeiling } from './ceiling.js';

/** How much scratch to write before an upload, per byte uploaded: a quarter more than the upload needs. */
const FRESH_MEMORY_FACTOR = 1.25;

export function bigRetrieveTest(bytes: number, repetitions: number): BenchTest {
  return {
    id: 'retr-big',
    repetitions,
    async measure(server, { fixture, login }) {
      readThrough(fixture.path(Fixture.BIG));
      const seconds = await inSession(server, login, async (client) => {
        const start = performance.now();
        const received = await client.retrieve(Fixture.BIG);
        if (received !== bytes) throw new Error(`received ${received} of ${bytes} bytes`);
        return secondsSince(start);
      });
      return { values: { mibPerSecond: bytes / MiB / seconds } };
    },
    ceiling: () => receiveCeiling(bytes),
  };
}

export function bigStoreTest(bytes: number, repetitions: number): BenchTest {
  return {
    id: 'stor-big',
    repetitions,
    async measure(server, { fixture, login, work }) {
      const name = `stor-${scratchName(server)}.bin`;
      useFreshMemory(work, bytes * FRESH_MEMORY_FACTOR);
      try {
        const seconds = await inSession(server, login, async (client) => {
          const start = performance.now();
          await client.store(name, bytes);
          return secondsSince(start);
        });
        const stored = fs.statSync(fixture.path(name)).size;
        if (stored !== bytes) throw new Error(`the server stored ${stored} of ${bytes} bytes`);
        return { values: { mibPerSecond: bytes / MiB / seconds } };
      } finally {
        fixture.remove(name);
      }
    },
    ceiling: () => sendCeiling(bytes),
  };
}
