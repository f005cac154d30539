/**
 * ftp-srv in a process of its own, as the benchmark runs it:
 *
 *   node dist/bench/servers/ftpSrvLauncher.js USER HOME PASV_LOW PASV_HIGH
 *
 * with the password in BENCH_FTP_PASSWORD. Listens on a free port of
 * 127.0.0.1, prints "ftp-srv VERSION listening on PORT", and stops on SIGTERM
 * (ftp-srv's own handler closes its connections and exits).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { PEERS_PREFIX } from '../paths.js';

/** The little of ftp-srv's API used here (it is loaded from the benchmark's private npm folder, untyped). */
interface FtpSrv {
  server: { address(): { port: number } };
  listen(): Promise<unknown>;
  on(
    event: 'login',
    listener: (data: { username: string; password: string }, resolve: (r: { root: string }) => void, reject: (e: Error) => void) => void,
  ): void;
}
type FtpSrvClass = new (options: Record<string, unknown>) => FtpSrv;
type Bunyan = { createLogger(options: { name: string; level: string }): unknown };

const [user, home, pasvLow, pasvHigh] = process.argv.slice(2) as [string, string, string, string];
const password = process.env['BENCH_FTP_PASSWORD'];
const load = createRequire(path.join(PEERS_PREFIX, 'package.json'));
const FtpSrv = load('ftp-srv') as FtpSrvClass;
const bunyan = load('bunyan') as Bunyan;
const { version } = JSON.parse(fs.readFileSync(path.join(PEERS_PREFIX, 'node_modules/ftp-srv/package.json'), 'utf8')) as { version: string };

const server = new FtpSrv({
  url: 'ftp://127.0.0.1:0',
  // ftp-srv answers PASV only with a pasv_url; for loopback clients it advertises their own address.
  pasv_url: '127.0.0.1',
  pasv_min: Number(pasvLow),
  pasv_max: Number(pasvHigh),
  anonymous: false,
  // Warnings only, like the other servers (bunyan's default level logs every connection).
  log: bunyan.createLogger({ name: 'ftp-srv', level: 'warn' }),
});
server.on('login', ({ username, password: given }, resolve, reject) => {
  if (username === user && given === password) resolve({ root: home });
  else reject(new Error('wrong user name or password'));
});
await server.listen();
console.log(`ftp-srv ${version} listening on ${server.server.address().port}`);
