/**
 * How a file is served: inline only for what a browser shows without running
 * anything of it (images other than SVG, PDF, text as text/plain), and as an
 * attachment otherwise. An HTML or SVG file from a user is never rendered on
 * our origin. Pure.
 */

const IMAGES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
};

/** Shown as plain text, whatever language they are in: as text/plain nothing of them runs. */
const TEXT = new Set(
  'txt text md markdown log csv tsv json xml yaml yml toml ini conf cfg env sh bash zsh py js mjs cjs ts tsx jsx css scss html htm c h cc cpp hpp rs go java kt rb php pl lua sql diff patch srt vtt tex rst properties gitignore dockerfile makefile'.split(
    ' ',
  ),
);

export interface Presentation {
  readonly contentType: string;
  readonly inline: boolean;
}

export function presentationOf(name: string, download: boolean): Presentation {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : name.toLowerCase();
  if (download) return { contentType: 'application/octet-stream', inline: false };
  if (IMAGES[ext]) return { contentType: IMAGES[ext], inline: true };
  if (ext === 'pdf') return { contentType: 'application/pdf', inline: true };
  if (TEXT.has(ext)) return { contentType: 'text/plain; charset=utf-8', inline: true };
  return { contentType: 'application/octet-stream', inline: false };
}

/**
 * Content-Disposition with the name as data (RFC 6266): an ASCII fallback in
 * quotes with nothing that could end the quoted string or the header, and
 * the real name percent-encoded in filename*.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'download';
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
