/** What the benchmark needs of every server it compares, and what each is started with. */
import type { Login } from '../client/BenchClient.js';

export interface BenchServer {
  /** The column name: sockftp, vsftpd, pyftpdlib, ftp-srv. */
  readonly name: string;
  readonly port: number;
  /** The process whose tree's memory counts as the server's. */
  readonly pid: number;
  /** As the server names itself (`vsftpd 3.0.3`), for the results file. */
  readonly version: string;
  /** The exact command line it runs with, for the results file. */
  readonly command: string;
  /** Everything the server printed lately, for error messages. */
  output(): string;
  /** Stops it and everything it forked, by pid. */
  stop(): Promise<void>;
}

/** The same for every server: one fixture tree, one account, a block of passive ports each. */
export interface ServerSetup {
  /** The served tree, the account's home. */
  readonly root: string;
  readonly login: Login;
  /** A private directory for the server's configuration files. */
  readonly confDir: string;
  /** Inclusive, below 32768 (where Linux's ephemeral ports begin, so client ports never take them). */
  readonly passivePorts: readonly [number, number];
  /** The most sessions the server must take at once (the 200-client test, with room to spare). */
  readonly maxClients: number;
}

export type ServerStarter = (setup: ServerSetup) => Promise<BenchServer>;
