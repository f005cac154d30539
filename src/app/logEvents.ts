/**
 * The log lines of the application's moments, written from its events: the
 * session's own logger, so each line carries the door, the session, the
 * client and, once logged in, the user, whichever door it came through.
 * Messages and fields are what scripts and tests read; change them only with
 * care.
 */
import type { Logger } from 'pino';
import type { ServerEvents } from './events.js';

export function logEvents(events: ServerEvents, log: Logger): void {
  events.on('sessionOpened', ({ session, tls }) => session.log.info({ tls: tls ?? undefined }, 'connection opened'));
  events.on('sessionClosed', ({ session, durationMs }) => session.log.info({ durationMs }, 'connection closed'));
  events.on('loginOk', ({ session, user }) => session.log.info({ user: session.user === null ? user : undefined }, 'login'));
  events.on('loginFailed', ({ session, user, banned }) => session.log.info({ user, banned }, 'login failed'));
  events.on('ban', ({ address, door }) => log.warn({ address, door }, 'address banned after too many failed logins'));
  events.on('transfer', ({ session, path, direction, bytes, durationMs, result, code, zeroCopyBytes }) =>
    session.log.info({ path, direction, bytes, durationMs: Math.round(durationMs), result, code, zeroCopyBytes: zeroCopyBytes || undefined }, 'transfer'),
  );
  events.on('fileAction', ({ session, action, path, to }) => session.log.info({ action, path, to }, 'changed'));
  events.on('shareUsed', ({ session, share, action }) => session.log.debug({ share, action }, 'share link used'));
  events.on('shutdown', ({ phase, reason, graceMs, drainMs, sessions }) => {
    if (phase === 'draining') log.info({ signal: reason, graceSeconds: (graceMs ?? 0) / 1000, drainSeconds: (drainMs ?? 0) / 1000 }, 'shutting down');
    else if (phase === 'forced') log.warn({ sessions }, 'grace period over; aborting the transfers still running');
    else log.info('stopped');
  });
}
