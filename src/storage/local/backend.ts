/**
 * The local backend's row in storage/backends.ts: a directory on this
 * machine, for every location no other row claims (so it is the table's last
 * row). Only node:fs is loaded with the row; LocalStorage comes at the first
 * home.
 */
import * as fs from 'node:fs';
import type { Backend } from '../backends.js';
import type { Storage } from '../../core/Storage.js';
import type { SweepReport } from '../../core/StorageProvider.js';

/** A directory on this machine: every location no other row claims. */
export const localBackend: Backend<null> = {
  name: 'local',
  matches: () => true,
  problem: (location) => (fs.statSync(location, { throwIfNoEntry: false })?.isDirectory() ? null : `${location} is not a directory`),
  flags: [],
  settings: () => null,
  // Loaded like any other backend, so the CLI's commands that serve nothing (connect, ls...) never load it.
  load: async () => {
    const [{ LocalStorage }, { removeTemporaries }] = await Promise.all([import('./LocalStorage.js'), import('./temporaries.js')]);
    return {
      open: (home: string): Promise<Storage> => LocalStorage.open(home),
      // Upload temporaries older than this process are a crash's leftovers; younger ones may be another server's.
      async sweep(dirs: readonly string[]): Promise<SweepReport[]> {
        const started = Date.now();
        const reports: SweepReport[] = [];
        for (const home of dirs) {
          const { removed, complete } = await removeTemporaries(home, undefined, started);
          if (removed > 0 || !complete) reports.push({ home, removed, complete });
        }
        return reports;
      },
      close: async () => undefined,
    };
  },
};
