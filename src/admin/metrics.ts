/**
 * The Prometheus metrics, all made from the core's events (app/events.ts)
 * and nothing counted on the side, in one registry with prom-client's
 * process and Node metrics. Every door's moments are the same events, so
 * each metric about sessions, logins, transfers and changes has a `door`
 * label (ftp, http). Labels follow unFTP's where it has them; verbs outside
 * a door's own table are one label value, so junk cannot grow series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Door, ServerEvents } from '../app/events.js';

const PREFIX = 'sockftp_';
/** Seconds: a small file on loopback takes milliseconds, a large one over a WAN hours. */
const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 7200];

/** `doors`: the doors that are on, whose session gauges read 0 from the start (not absent until their first session). */
export function createMetrics(events: ServerEvents, doors: readonly Door[] = []): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });

  const sessions = gauge('sessions', 'Sessions open now (FTP control connections), by door', ['door']);
  const sessionsTotal = counter('sessions_total', 'Sessions accepted (FTP control connections), by door', ['door']);
  const logins = counter('logins_total', 'Logins by door and result (ok, failed)', ['door', 'result']);
  const commands = counter(
    'commands_total',
    "Commands finished, by door and verb (FTP's verbs, OTHER: not a verb of the door's table; the web's method and route)",
    ['door', 'verb'],
  );
  const replies = counter('replies_total', "Commands' final replies (FTP) or statuses (web) by door and class (2xx, 3xx, 4xx, 5xx)", ['door', 'class']);
  const transfers = counter('transfers_total', 'Transfers finished, by door, direction (upload, download, listing) and result (ok, aborted, failed)', [
    'door',
    'direction',
    'result',
  ]);
  const sent = counter('bytes_sent_total', 'Bytes of files and listings sent (downloads and listings), by door, counted when each transfer ends', ['door']);
  const received = counter('bytes_received_total', 'Bytes of files received (uploads), by door, counted when each transfer ends', ['door']);
  const duration = new Histogram<'door' | 'direction'>({
    name: PREFIX + 'transfer_duration_seconds',
    help: 'Transfer durations by door and direction (FTP: from the 150 reply to the final one; web: from the request to the response)',
    labelNames: ['door', 'direction'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const changes = counter('file_actions_total', 'Files and folders deleted, made or renamed, by door and action (delete, rmdir, mkdir, rename)', [
    'door',
    'action',
  ]);
  const shareUses = counter('share_uses_total', 'Share links used by people without an account, by what they asked (info, unlock, list, file, zip)', [
    'action',
  ]);
  const bans = counter('bans_total', 'Client addresses banned after too many failed logins, by the door of the last one', ['door']);
  const storageErrors = counter(
    'storage_errors_total',
    'Storage operations that failed a command or transfer, by door, backend (local, s3...) and error code',
    ['door', 'backend', 'code'],
  );
  const waiting = gauge('data_connections_waiting', 'Data channels (PASV/EPSV listening, PORT/EPRT connecting) waiting for their connection');
  const ready = gauge('ready', '1 while accepting sessions, 0 from the first moment of a shutdown');
  ready.set(1);
  // The doors whose sessions are connections (the web's sign-ins are counted as logins, not here).
  for (const door of doors.filter((d) => d !== 'http')) {
    sessions.set({ door }, 0);
    sessionsTotal.inc({ door }, 0);
  }

  events.on('sessionOpened', ({ session: { door } }) => {
    sessions.inc({ door });
    sessionsTotal.inc({ door });
  });
  events.on('sessionClosed', ({ session: { door } }) => sessions.dec({ door }));
  events.on('loginOk', ({ session: { door } }) => logins.inc({ door, result: 'ok' }));
  events.on('loginFailed', ({ session: { door } }) => logins.inc({ door, result: 'failed' }));
  events.on('command', ({ session: { door }, verb, code, known }) => {
    commands.inc({ door, verb: known ? verb : 'OTHER' });
    replies.inc({ door, class: `${Math.floor(code / 100)}xx` });
  });
  events.on('transfer', (t) => {
    const { door } = t.session;
    transfers.inc({ door, direction: t.direction, result: t.result });
    (t.direction === 'upload' ? received : sent).inc({ door }, t.bytes);
    duration.observe({ door, direction: t.direction }, t.durationMs / 1000);
  });
  events.on('fileAction', ({ session: { door }, action }) => changes.inc({ door, action }));
  events.on('shareUsed', ({ action }) => shareUses.inc({ action }));
  events.on('ban', ({ door }) => bans.inc({ door }));
  events.on('storageError', ({ session: { door }, backend, code }) => storageErrors.inc({ door, backend, code }));
  events.on('dataWaiting', ({ waiting: now }) => (now ? waiting.inc() : waiting.dec()));
  events.on('shutdown', () => ready.set(0));
  return registry;
}
