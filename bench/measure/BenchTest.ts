/** One test of the side-by-side run: measured on every server in turn, repetition after repetition. */
import { BenchClient, type Login } from '../client/BenchClient.js';
import type { Fixture } from '../Fixture.js';
import type { BenchServer } from '../servers/BenchServer.js';

/** What one measurement found: numbers by name (null: the server cannot do it), and details for the results file. */
export interface Measurement {
  readonly values: Readonly<Record<string, number | null>>;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface TestContext {
  readonly fixture: Fixture;
  /** Scratch space on the fixture's file system, outside the served tree. */
  readonly work: string;
  readonly login: Login;
}

export interface BenchTest {
  readonly id: string;
  readonly repetitions: number;
  /** Prepares the machine (untimed), then measures one server. */
  measure(server: BenchServer, context: TestContext): Promise<Measurement>;
  /** The same measurement without an FTP server: what the client itself can do, once per repetition. */
  readonly ceiling?: (context: TestContext) => Promise<Measurement>;
}

/**
 * A server's name as it goes into the names of its scratch files:
 * "sockftp (baseline)" becomes "sockftp-baseline", so that the baseline's
 * commands carry no space or bracket that sockftp's do not.
 */
export function scratchName(server: BenchServer): string {
  return server.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+$/, '');
}

/** Seconds since `start` (a performance.now() value). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Logs in, runs `use`, and says QUIT after it; a failed session is just closed. */
export async function inSession<T>(server: BenchServer, login: Login, use: (client: BenchClient) => Promise<T>): Promise<T> {
  const client = await BenchClient.login(server.port, login);
  let result: T;
  try {
    result = await use(client);
  } catch (err) {
    client.close();
    throw err;
  }
  await client.quit();
  return result;
}
