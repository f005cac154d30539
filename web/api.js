/**
 * The JSON API of docs/web-api.md: one function for every call, the CSRF
 * token on every state change, and one error type with the server's code.
 */

let csrfToken = '';

export function setCsrf(token) {
  csrfToken = token ?? '';
}

export function csrf() {
  return csrfToken;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

const SAFE = new Set(['GET', 'HEAD']);

export async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) {
    let data = {};
    try {
      data = await res.json();
    } catch {
      // A proxy's or a crash's page: the status says enough.
    }
    throw new ApiError(res.status, data.error ?? `http_${res.status}`, data.message ?? res.statusText);
  }
  if (res.status === 204) return null;
  return (res.headers.get('Content-Type') ?? '').includes('json') ? res.json() : null;
}

/** A query string; a value that is an array repeats its key (`path=/a&path=/b`). */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null) search.append(key, String(v));
  }
  return search.toString();
}

/** Where a signed-in user's files are read; a share's source has the same shape (shareSource in share.js). */
export const userSource = {
  readOnly: false,
  list: (path, params) => api('GET', `/api/list?${query({ path, ...params })}`),
  fileUrl: (path, download) => `/api/file?${query({ path, download: download ? 1 : undefined })}`,
  zipUrl: (paths) => `/api/zip?${query({ path: paths })}`,
};
