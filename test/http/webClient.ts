/**
 * The web door's tests' client: fetch with the session cookie carried by
 * hand (as a browser would), the CSRF token sent on state changes, and the
 * real `sockftp serve --http-address` started on loopback.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { hashPassword } from '../../src/auth/passwordHash.js';
import { ALL_PERMISSIONS, READ_ONLY } from '../../src/auth/permissions.js';
import { writeUsersFile, type UserRecord } from '../../src/auth/UsersFile.js';
import { startServer, type RunningServer } from '../helpers/server.js';

export interface Web {
  readonly ftp: RunningServer;
  /** http(s)://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<number | null>;
}

/** `sockftp serve ROOT --port 0 --http-address 127.0.0.1:0 --http-staging-dir STAGING ...args`, once it prints the web URL. */
export async function startWeb(root: string, staging: string, args: readonly string[] = []): Promise<Web> {
  const ftp = await startServer(root, ['--http-address', '127.0.0.1:0', '--http-staging-dir', staging, ...args]);
  const pattern = /web at (https?:\/\/127\.0\.0\.1:\d+)/;
  await ftp.waitForOutput(pattern);
  return { ftp, url: pattern.exec(ftp.output())![1], stop: () => ftp.stop() };
}

export async function writeUsers(file: string, accounts: Readonly<Record<string, { password: string; home?: string; readOnly?: boolean }>>): Promise<void> {
  const users = new Map<string, UserRecord>();
  for (const [name, a] of Object.entries(accounts))
    users.set(name, { password: await hashPassword(a.password), home: a.home ?? null, permissions: a.readOnly ? READ_ONLY : ALL_PERMISSIONS });
  await writeUsersFile(file, users);
}

export class WebClient {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly base: string) {}

  static async login(base: string, user = 'anonymous', password = 'guest'): Promise<WebClient> {
    const client = new WebClient(base);
    const res = await client.login(user, password);
    if (res.status !== 200) throw new Error(`login as ${user}: ${res.status} ${await res.text()}`);
    return client;
  }

  async login(user: string, password: string): Promise<Response> {
    const res = await this.request('POST', '/api/login', { json: { user, password } });
    if (res.status === 200) {
      this.cookie = /^([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
      this.csrf = ((await res.clone().json()) as { csrf: string }).csrf;
    }
    return res;
  }

  request(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; body?: Buffer | string; csrf?: string | null } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrf;
    let body: Buffer | string | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    return fetch(this.base + path, { method, headers, body, redirect: 'manual' });
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }

  post(path: string, json: unknown): Promise<Response> {
    return this.request('POST', path, { json });
  }

  async json<T = Record<string, unknown>>(path: string): Promise<T> {
    const res = await this.get(path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A tus upload's creation; resolves with its URL path. */
  async createUpload(length: number, metadata: Record<string, string>): Promise<Response> {
    const encoded = Object.entries(metadata)
      .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
      .join(',');
    return this.request('POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length), 'upload-metadata': encoded } });
  }

  patch(location: string, offset: number, bytes: Buffer): Promise<Response> {
    return this.request('PATCH', location, {
      headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body: bytes,
    });
  }

  /** A PATCH of `length` bytes on a socket of its own, its headers sent: the test writes the body (or cuts it) itself. */
  async rawPatch(location: string, offset: number, length: number): Promise<net.Socket> {
    const socket = net.connect(Number(new URL(this.base).port), '127.0.0.1');
    await once(socket, 'connect');
    const headers = [`PATCH ${location} HTTP/1.1`, 'Host: 127.0.0.1', `Cookie: ${this.cookie}`, `X-CSRF-Token: ${this.csrf}`, 'Tus-Resumable: 1.0.0'];
    socket.write([...headers, `Upload-Offset: ${offset}`, 'Content-Type: application/offset+octet-stream', `Content-Length: ${length}`, '', ''].join('\r\n'));
    return socket;
  }

  /** A whole upload in one PATCH; resolves once the file is written. */
  async upload(dir: string, filename: string, bytes: Buffer): Promise<void> {
    const created = await this.createUpload(bytes.length, { dir, filename });
    if (created.status !== 201) throw new Error(`upload of ${filename}: ${created.status} ${await created.text()}`);
    if (bytes.length === 0) return;
    const res = await this.patch(created.headers.get('location')!, 0, bytes);
    if (res.status !== 204) throw new Error(`PATCH of ${filename}: ${res.status} ${await res.text()}`);
  }
}

export const q = encodeURIComponent;
