/**
 * The FTP server in this test process, on a storage the test hands it
 * (MemoryStorage, LocalStorage, S3Storage on a real bucket), so the same
 * protocol scenarios run on every backend without spawning the CLI. The CLI
 * has its own tests (integration/cli-*.test.ts); this is for the protocol.
 * Anonymous users write to the given storage; accounts are not needed here.
 */
import type { App } from '../../src/app/App.js';
import type { Storage } from '../../src/core/Storage.js';
import { FtpServer } from '../../src/ftp/FtpServer.js';
import { APP_DEFAULTS } from '../../src/app/defaults.js';
import { DEFAULTS, type ServerConfig } from '../../src/ftp/ServerConfig.js';
import { TEST_HOME, testApp } from './testApp.js';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly server: FtpServer;
  readonly app: App;
  /** Shuts the server down (a short grace: tests end their sessions themselves). */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** What anonymous users see as "/". */
  readonly storage: Storage;
  readonly config?: Partial<ServerConfig>;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const config: ServerConfig = {
    root: TEST_HOME,
    host: '127.0.0.1',
    port: 0,
    pasvPorts: null,
    pasvAddress: null,
    anonymous: 'write',
    usersFile: null,
    tls: null,
    maxClients: APP_DEFAULTS.maxClients,
    maxPerIp: 1000,
    idleTimeoutMs: APP_DEFAULTS.idleTimeoutMs,
    loginTimeoutMs: APP_DEFAULTS.loginTimeoutMs,
    dataConnectTimeoutMs: 10_000,
    maxLineBytes: DEFAULTS.maxLineBytes,
    loginGuard: APP_DEFAULTS.loginGuard,
    ...options.config,
  };
  const app = await testApp(options.storage, config);
  const server = new FtpServer(config, app);
  app.addDoor(server.door);
  await server.listen();
  const url = server.url;
  const port = Number(new URL(url).port);
  return { host: config.host, port, url, server, app, stop: () => app.shutdown(1_000) };
}
