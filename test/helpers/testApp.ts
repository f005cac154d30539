/**
 * The application core in this test process, on one storage the test hands
 * it (MemoryStorage, LocalStorage, S3Storage on a real bucket): the doors'
 * in-process suites (FTP's backendSuite, the web's storageSuite) start on it.
 * Anonymous users write to that storage; accounts are not needed here.
 */
import { pino } from 'pino';
import { App, type AppConfig } from '../../src/app/App.js';
import type { Storage } from '../../src/core/Storage.js';
import type { StorageProvider } from '../../src/core/StorageProvider.js';
import { APP_DEFAULTS } from '../../src/app/defaults.js';

/** The home every test storage answers to: there is only one storage. */
export const TEST_HOME = 'test://storage';

export async function testApp(storage: Storage, config: Partial<AppConfig> = {}): Promise<App> {
  const provider: StorageProvider = {
    open: async () => storage,
    sweep: async () => [],
    close: async () => undefined,
  };
  const full: AppConfig = {
    root: TEST_HOME,
    anonymous: 'write',
    usersFile: null,
    maxClients: APP_DEFAULTS.maxClients,
    maxPerIp: 1000,
    idleTimeoutMs: APP_DEFAULTS.idleTimeoutMs,
    loginTimeoutMs: APP_DEFAULTS.loginTimeoutMs,
    loginGuard: APP_DEFAULTS.loginGuard,
    ...config,
  };
  return App.create(full, provider, pino({ level: process.env.SOCKFTP_TEST_LOG ?? 'silent' }));
}
