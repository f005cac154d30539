/**
 * The Prometheus metrics, all made from the server's events (ftp/events.ts)
 * and nothing counted on the side, in one registry with prom-client's
 * process and Node metrics. Labels follow unFTP's where it has them; verbs
 * outside the command table are one label value, so junk cannot grow series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { commandTable } from '../ftp/commandTable.js';
import type { ServerEvents } from '../ftp/events.js';

const PREFIX = 'sockftp_';
/** Seconds: a small file on loopback takes milliseconds, a large one over a WAN hours. */
const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 7200];

export function createMetrics(events: ServerEvents): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string) => new Gauge({ name: PREFIX + name, help, registers: [registry] });

  const sessions = gauge('sessions', 'Control connections open now');
  const sessionsTotal = counter('sessions_total', 'Control connections accepted');
  const logins = counter('logins_total', 'Logins by result (ok, failed)', ['result']);
  const commands = counter('commands_total', 'Commands finished, by verb (OTHER: not a verb of the command table)', ['verb']);
  const replies = counter('replies_total', "Commands' final replies by code class (2xx, 3xx, 4xx, 5xx)", ['class']);
  const transfers = counter('transfers_total', 'Transfers finished, by direction (upload, download, listing) and result (ok, aborted, failed)', [
    'direction',
    'result',
  ]);
  const sent = counter('bytes_sent_total', 'Bytes sent on data connections (downloads and listings), counted when each transfer ends');
  const received = counter('bytes_received_total', 'Bytes received on data connections (uploads), counted when each transfer ends');
  const duration = new Histogram<'direction'>({
    name: PREFIX + 'transfer_duration_seconds',
    help: 'Transfer durations, from the 150 reply to the final one, by direction',
    labelNames: ['direction'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const bans = counter('bans_total', 'Client addresses banned after too many failed logins');
  const storageErrors = counter('storage_errors_total', 'Storage operations that failed a command or transfer, by backend (local, s3...) and error code', [
    'backend',
    'code',
  ]);
  const waiting = gauge('data_connections_waiting', 'Data channels (PASV/EPSV listening, PORT/EPRT connecting) waiting for their connection');
  const ready = gauge('ready', '1 while accepting sessions, 0 from the first moment of a shutdown');
  ready.set(1);

  events.on('sessionOpened', () => {
    sessions.inc();
    sessionsTotal.inc();
  });
  events.on('sessionClosed', () => sessions.dec());
  events.on('loginOk', () => logins.inc({ result: 'ok' }));
  events.on('loginFailed', () => logins.inc({ result: 'failed' }));
  events.on('command', ({ verb, code }) => {
    commands.inc({ verb: commandTable.has(verb) ? verb : 'OTHER' });
    replies.inc({ class: `${Math.floor(code / 100)}xx` });
  });
  events.on('transfer', (t) => {
    transfers.inc({ direction: t.direction, result: t.result });
    (t.direction === 'upload' ? received : sent).inc(t.bytes);
    duration.observe({ direction: t.direction }, t.durationMs / 1000);
  });
  events.on('ban', () => bans.inc());
  events.on('storageError', ({ backend, code }) => storageErrors.inc({ backend, code }));
  events.on('dataWaiting', ({ waiting: now }) => (now ? waiting.inc() : waiting.dec()));
  events.on('shutdown', () => ready.set(0));
  return registry;
}
