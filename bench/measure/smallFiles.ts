/** (c) Many small files STORed, then RETRieved, on one session: files/s each way. */
import { inSession, scratchName, secondsSince, type BenchTest } from './BenchTest.js';

export function smallFilesTest(count: number, fileBytes: number, repetitions: number): BenchTest {
  return {
    id: 'small-files',
    repetitions,
    async measure(server, { fixture, login }) {
      const dir = `small-${scratchName(server)}`;
      fixture.makeDir(dir);
      const names = Array.from({ length: count }, (_, i) => `${dir}/f${String(i).padStart(5, '0')}.bin`);
      try {
        return await inSession(server, login, async (client) => {
          const storing = performance.now();
          for (const name of names) await client.store(name, fileBytes);
          const storeSeconds = secondsSince(storing);
          const retrieving = performance.now();
          for (const name of names) {
            const received = await client.retrieve(name);
            if (received !== fileBytes) throw new Error(`${name}: received ${received} of ${fileBytes} bytes`);
          }
          const retrieveSeconds = secondsSince(retrieving);
          return { values: { storeFilesPerSecond: count / storeSeconds, retrieveFilesPerSecond: count / retrieveSeconds } };
        });
      } finally {
        fixture.remove(dir);
      }
    },
  };
}
