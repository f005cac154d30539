/**
 * /healthz's test: connect to our own control listener and read its 220
 * greeting, as a client would. A process whose event loop, accept queue or
 * session limit keeps clients from being greeted fails it. Where our own
 * address is a trusted load balancer's (--proxy-protocol-from), the probe
 * speaks as one: "PROXY UNKNOWN", the header of a proxy's own health check.
 */
import * as net from 'node:net';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The first reply line's longest reasonable length; anything longer is not a greeting. */
const MAX_GREETING_BYTES = 4096;

export function probeGreeting(host: string, port: number, timeoutMs: number, needsProxyHeader: (localAddress: string) => boolean): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      if (needsProxyHeader(socket.localAddress ?? '')) socket.write('PROXY UNKNOWN\r\n');
    });
    let received = '';
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      // A polite end: the session closes as any client's would, without an error logged.
      if (result.ok) socket.end('QUIT\r\n');
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no greeting within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('error', (err) => finish({ ok: false, reason: err.message }));
    socket.on('close', () => finish({ ok: false, reason: 'connection closed before the greeting' }));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end < 0) {
        if (received.length > MAX_GREETING_BYTES) finish({ ok: false, reason: 'no reply line' });
        return;
      }
      const line = received.slice(0, end).trimEnd();
      // "220 text" or the first line of a multi-line "220-text" greeting (RFC 959 4.2).
      if (/^220[ -]/.test(line)) finish({ ok: true });
      else finish({ ok: false, reason: `greeted with "${line.slice(0, 200)}"` });
    });
  });
}
