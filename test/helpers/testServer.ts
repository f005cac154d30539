/**
 * The FTP server in this test process, on a storage the test hands it
 * (MemoryStorage, LocalStorage, S3Storage on a real bucket), so the same
 * protocol scenarios run on every backend without spawning the CLI. The CLI
 * has its own tests (integration/cli-*.test.ts); this is for the protocol.
 * Anonymous users write to the given storage; accounts are not needed here.
 */
import { pino } from 'pino';
import { LoginAuthenticator } from '../../src/auth/LoginAuthenticator.js';
import type { Storage } from '../../src/core/Storage.js';
import type { StorageProvider } from '../../src/core/StorageProvider.js';
import { FtpServer } from '../../src/ftp/FtpServer.js';
import { DEFAULTS, type ServerConfig } from '../../src/ftp/ServerConfig.js';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly server: FtpServer;
  /** Shuts the server down (a short grace: tests end their sessions themselves). */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** What anonymous users see as "/". */
  readonly storage: Storage;
  readonly config?: Partial<ServerConfig>;
}

/** The home every test storage answers to: there is only one storage. */
const HOME = 'test://storage';

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const config: ServerConfig = {
    root: HOME,
    host: '127.0.0.1',
    port: 0,
    pasvPorts: null,
    pasvAddress: null,
    anonymous: 'write',
    usersFile: null,
    tls: null,
    maxClients: DEFAULTS.maxClients,
    maxPerIp: 1000,
    idleTimeoutMs: DEFAULTS.idleTimeoutMs,
    loginTimeoutMs: DEFAULTS.loginTimeoutMs,
    dataConnectTimeoutMs: 10_000,
    maxLineBytes: DEFAULTS.maxLineBytes,
    loginGuard: DEFAULTS.loginGuard,
    ...options.config,
  };
  const provider: StorageProvider = {
    open: async () => options.storage,
    sweep: async () => [],
    close: async () => undefined,
  };
  const authenticator = await LoginAuthenticator.create(config.root, config.anonymous, null);
  const log = pino({ level: process.env.SOCKFTP_TEST_LOG ?? 'silent' });
  const server = new FtpServer(config, authenticator, provider, log);
  await server.listen();
  const url = server.url;
  const port = Number(new URL(url).port);
  return { host: config.host, port, url, server, stop: () => server.shutdown(1_000) };
}
