/**
 * Headers on every response of the web door (docs/web-api.md): a strict
 * Content-Security-Policy, so a file name or a file's content that slipped
 * into the page as markup still could not run script; no MIME sniffing; no
 * Referer (share URLs carry their id); never framed by another site.
 */
import type * as http from 'node:http';

const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

export const CONTENT_SECURITY_POLICY = [...POLICY, "frame-ancestors 'none'"].join('; ');
/** A file shown inline (PDF, text) is framed by our own page's preview, and by nothing else. */
export const PREVIEW_SECURITY_POLICY = [...POLICY, "frame-ancestors 'self'"].join('; ');

export function setSecurityHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** For an inline preview: our own page may frame it. */
export function allowSameOriginFraming(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', PREVIEW_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
}
