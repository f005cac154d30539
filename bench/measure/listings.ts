/** (d) LIST and MLSD of one big directory, seconds from the command to the end of both data and reply. */
import { Fixture } from '../Fixture.js';
import { readDirectoryThrough } from '../pageCache.js';
import { inSession, secondsSince, type BenchTest } from './BenchTest.js';

export function listingsTest(entries: number, repetitions: number): BenchTest {
  return {
    id: 'listings',
    repetitions,
    async measure(server, { fixture, login }) {
      readDirectoryThrough(fixture.path(Fixture.LIST_DIR));
      return inSession(server, login, async (client) => {
        const values: Record<string, number | null> = {};
        const details: Record<string, unknown> = {};
        for (const verb of ['LIST', 'MLSD'] as const) {
          const start = performance.now();
          const listed = await client.listing(verb, Fixture.LIST_DIR);
          const seconds = secondsSince(start);
          // MLSD may add "." and ".." (cdir, pdir); fewer lines than entries means a listing cut short.
          if (listed && listed.lines < entries) throw new Error(`${verb} gave ${listed.lines} lines for ${entries} entries`);
          values[`${verb}Seconds`] = listed ? seconds : null;
          details[verb] = listed ?? 'not implemented';
        }
        return { values, details };
      });
    },
  };
}
