/** The Cookie request header read, and the session cookies written (pure). */

export const SESSION_COOKIE = 'sockftp_session';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * HttpOnly: no script reads it, so an injected one could not steal it.
 * SameSite=Strict: no other site's page sends it. Secure over HTTPS.
 * No Max-Age: it lives as long as the browser session, the server's idle
 * limit ending it sooner.
 */
export function cookieHeader(name: string, value: string, secure: boolean, path = '/'): string {
  return `${name}=${value}; HttpOnly; SameSite=Strict; Path=${path}${secure ? '; Secure' : ''}`;
}

export function clearedCookieHeader(name: string, secure: boolean, path = '/'): string {
  return `${name}=; HttpOnly; SameSite=Strict; Path=${path}; Max-Age=0${secure ? '; Secure' : ''}`;
}
