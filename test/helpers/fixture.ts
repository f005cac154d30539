/** The usual set-up of an integration test file: a served root, a local work directory, and the server. */
import { after, before } from 'node:test';
import { removeDir, tempDir } from './files.js';
import { startServer, type RunningServer } from './server.js';

export interface ServerFixture {
  server: RunningServer;
  /** The directory the server serves. */
  root: string;
  /** A scratch directory for the client side. */
  work: string;
}

/** Registers before/after hooks in the calling suite; the fields are set once `before` has run. */
export function useServer(args: readonly string[] = []): ServerFixture {
  const fixture = {} as ServerFixture;
  before(async () => {
    fixture.root = tempDir();
    fixture.work = tempDir();
    fixture.server = await startServer(fixture.root, args);
  });
  after(async () => {
    await fixture.server?.stop();
    removeDir(fixture.root);
    removeDir(fixture.work);
  });
  return fixture;
}
