/**
 * The admin HTTP listener (--admin-address): /metrics for Prometheus,
 * /healthz (the process greets FTP clients) and /readyz (it wants new
 * sessions), nothing else. node:http is enough for three read-only routes.
 *
 * /readyz turns 503 at the shutdown's first event ("draining"), while the FTP
 * listener still serves for the drain delay, so a load balancer stops sending
 * sessions here before any is refused or told 421. The listener stays up,
 * answering 503, until the process exits.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ServerEvents } from '../app/events.js';
import { formatHostForUrl } from '../net/hosts.js';
import type { ProbeResult } from './greetingProbe.js';

export interface AdminOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: Registry;
  readonly events: ServerEvents;
  /** /healthz's check: a real FTP greeting from our own control listener. */
  readonly probe: () => Promise<ProbeResult>;
}

export class AdminServer {
  private readonly server: http.Server;
  private ready = true;

  constructor(private readonly options: AdminOptions) {
    options.events.on('shutdown', () => (this.ready = false));
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${formatHostForUrl(address.address)}:${address.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return send(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'only GET and HEAD\n');
    }
    try {
      if (path === '/metrics') send(res, 200, await this.options.metrics.metrics(), this.options.metrics.contentType);
      else if (path === '/healthz') {
        const result = await this.options.probe();
        if (result.ok) send(res, 200, 'ok\n');
        else send(res, 503, `FTP greeting failed: ${result.reason}\n`);
      } else if (this.ready) send(res, 200, 'ready\n');
      else send(res, 503, 'shutting down\n');
    } catch (err) {
      send(res, 500, `${(err as Error).message}\n`);
    }
  }
}

function send(res: http.ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
