/**
 * What SIGHUP does to a running `sockftp serve`: re-reads the users file (its
 * accounts apply to the next login), the --config file (limits and the log
 * level apply at once, any other change is logged as needing a restart), and
 * reopens the xferlog (after logrotate moved it away).
 */
import type { Level, Logger } from 'pino';
import type { App, Limits } from '../app/App.js';
import type { TransferLog } from '../app/TransferLog.js';
import type { ConfigFile } from './ConfigFile.js';

/** The keys a running server takes from a re-read file; the server's side of them is App.updateLimits. */
export const RUNTIME_KEYS: ReadonlySet<string> = new Set([
  'max-clients',
  'max-per-ip',
  'idle-timeout',
  'login-timeout',
  'max-login-failures',
  'login-ban',
  'log-level',
]);

export interface ReloadTargets<O extends object> {
  readonly app: App;
  readonly log: Logger;
  readonly transferLog: TransferLog | null;
  /** The --config file as the server started with it, or null without --config. */
  readonly configFile: ConfigFile<O> | null;
  /** The checks every value goes through at start; a file failing them is not applied. */
  readonly check: (root: string | undefined, options: O) => { readonly config: Limits; readonly logLevel: Level };
}

/** The SIGHUP handler. */
export function reloader<O extends object>(targets: ReloadTargets<O>): () => void {
  const { app, log, transferLog, configFile } = targets;
  let applied = configFile;
  return () => {
    if (configFile && applied) applied = reloadConfig(configFile, applied, targets) ?? applied;
    app.reloadUsers().then(
      () => log.info({ accounts: app.authenticator.accountCount }, 'users file re-read'),
      (err: Error) => log.error({ err: err.message }, 'users file not re-read; the previous accounts stay'),
    );
    transferLog?.reopen().then(
      () => log.info('xferlog reopened'),
      (err: Error) => log.error({ err: err.message }, 'xferlog not reopened; transfers are still written to the file open before'),
    );
  };
}

/**
 * Applies what a running server can change from the file read again, and
 * returns it; on any problem logs it and returns null, having changed nothing.
 * Restart-only keys are compared with the file the server started with, so the
 * reminder comes back at every SIGHUP until the restart.
 */
function reloadConfig<O extends object>(started: ConfigFile<O>, applied: ConfigFile<O>, targets: ReloadTargets<O>): ConfigFile<O> | null {
  const { app, log } = targets;
  let next: ConfigFile<O> | null = null;
  let settings: ReturnType<ReloadTargets<O>['check']>;
  try {
    next = started.reread();
    settings = targets.check(next.root, next.options);
  } catch (err) {
    const reason = (next ? next.explain(err) : err) as Error;
    log.error({ err: reason.message }, 'config file not re-read; the previous settings stay');
    return null;
  }
  for (const key of next.changedKeys(started)) if (!RUNTIME_KEYS.has(key)) log.warn(`"${key}" changed; restart to apply`);
  app.updateLimits(settings.config);
  log.level = settings.logLevel;
  const changed = next.changedKeys(applied).filter((key) => RUNTIME_KEYS.has(key));
  log.info({ file: started.path, applied: changed.length > 0 ? changed.join(',') : 'nothing' }, 'config file re-read');
  return next;
}
