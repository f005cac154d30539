/** Writing JSON and errors, and reading a JSON body with a size limit. */
import type * as http from 'node:http';
import { responseForError } from './errorStatus.js';
import { HttpError, badRequest } from './HttpError.js';

/** JSON bodies of the API are small (names, paths): anything bigger is refused before it is buffered. */
const MAX_JSON_BYTES = 64 * 1024;

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: http.ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** The failure as its JSON response; what has already begun (a download midway) can only be cut. Says whether it was unexpected. */
export function sendError(res: http.ServerResponse, err: unknown): boolean {
  const response = responseForError(err);
  if (res.headersSent) {
    res.destroy();
    return response.unexpected;
  }
  sendJson(res, response.status, response.body, { ...response.headers });
  return response.unexpected;
}

export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw badRequest('The body must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_JSON_BYTES) throw new HttpError('too_large', 'Request body too large');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_JSON_BYTES) throw new HttpError('too_large', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('The body must be a JSON object');
  return value as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw badRequest(`"${name}" must be a string`);
  return value;
}
