/**
 * Every line the shell prints, in English and in Indonesian. The Indonesian
 * set keeps the original program's words ("File Berhasil Dibuat",
 * "File Berhasil Dihapus", "File Tidak Ditemukan", "Koneksi Ditutup",
 * "Koneksi Baru Tersambung").
 */
import type { Lang } from '../problems.js';
import type { VerifyMethod } from '../verify.js';

export type { Lang } from '../problems.js';

/** The end of a recursive transfer: files and bytes moved, and what else there is to say. */
export interface TreeSummary {
  readonly direction: 'download' | 'upload';
  readonly files: number;
  readonly bytes: number;
  readonly dir: string;
  readonly failed: number;
  /** Set when every file was verified, and how. */
  readonly verified: VerifyMethod | null;
}

/** Function properties, not methods: callers pass them around unbound (msg.passwordFor as a prompt). */
export interface Messages {
  readonly connected: (target: string) => string;
  readonly uploaded: (name: string, bytes: number, wanted: string) => string;
  readonly downloaded: (name: string, bytes: number, wanted: string) => string;
  readonly deleted: (name: string) => string;
  readonly notFound: (name: string) => string;
  readonly size: (bytes: number) => string;
  readonly connectionClosed: () => string;
  readonly newConnection: (target: string) => string;
  readonly bye: () => string;
  readonly changedDir: (path: string) => string;
  readonly madeDir: (path: string) => string;
  readonly removedDir: (path: string) => string;
  readonly renamed: (from: string, to: string) => string;
  readonly empty: () => string;
  readonly unknownCommand: (name: string) => string;
  readonly usage: (usage: string) => string;
  readonly unclosedQuote: () => string;
  readonly error: (text: string) => string;
  readonly notConnected: () => string;
  readonly helpHeader: () => string;
  readonly verified: (name: string, method: VerifyMethod) => string;
  readonly treeDone: (summary: TreeSummary) => string;
  readonly noMatch: (pattern: string) => string;
  readonly localDir: (path: string) => string;
  readonly quitHint: () => string;
  /** The progress bar's label for the time left. */
  readonly eta: () => string;
  /** A lost connection: the transfer reconnects and resumes. */
  readonly retrying: (attempt: number, of: number, reason: string) => string;
  readonly passwordFor: (user: string) => string;
}

/** Sizes in MB with two decimals, as the original printed them (1 MB = 1024 * 1024 bytes). */
export function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(2);
}

const en: Messages = {
  connected: (t) => `Connected to ${t}`,
  uploaded: (name, bytes, wanted) => (name === wanted ? `Uploaded ${name} (${bytes} bytes)` : `Uploaded as ${name} (${bytes} bytes): ${wanted} already exists`),
  downloaded: (name, bytes, wanted) =>
    name === wanted ? `Downloaded ${name} (${bytes} bytes)` : `Downloaded as ${name} (${bytes} bytes): ${wanted} already exists here`,
  deleted: (name) => `Deleted ${name}`,
  notFound: (name) => `File not found: ${name}`,
  size: (bytes) => `${megabytes(bytes)} MB (${bytes} bytes)`,
  connectionClosed: () => 'Connection closed',
  newConnection: (t) => `New connection to ${t}`,
  bye: () => 'Bye',
  changedDir: (p) => `Now in ${p}`,
  madeDir: (p) => `Created directory ${p}`,
  removedDir: (p) => `Removed directory ${p}`,
  renamed: (from, to) => `Renamed ${from} to ${to}`,
  empty: () => '(empty)',
  unknownCommand: (name) => `Unknown command: ${name} (type help)`,
  usage: (u) => `Usage: ${u}`,
  unclosedQuote: () => 'Unclosed quote',
  error: (text) => `Error: ${text}`,
  notConnected: () => 'Not connected (connme opens a new connection)',
  helpHeader: () => 'Commands:',
  verified: (name, method) =>
    `Verified ${name}: SHA-256 matches (${method === 'hash' ? "the server's HASH" : 'downloaded again and hashed here: the server has no HASH'})`,
  treeDone: (t) =>
    [
      `${t.direction === 'download' ? 'Downloaded' : 'Uploaded'} ${t.files} file${t.files === 1 ? '' : 's'} (${t.bytes} bytes) ${t.direction === 'download' ? 'into' : 'to'} ${t.dir}`,
      ...(t.failed > 0 ? [`${t.failed} failed`] : []),
      ...(t.verified ? [`SHA-256 verified (${t.verified === 'hash' ? "the server's HASH" : 'downloaded again and hashed here'})`] : []),
    ].join('; '),
  noMatch: (pattern) => `No file matches ${pattern}`,
  localDir: (p) => `Local directory now ${p}`,
  quitHint: () => '(To quit, press Ctrl-C again or type byebye)',
  eta: () => 'ETA',
  retrying: (attempt, of, reason) => `retrying (${attempt}/${of}) after: ${reason}`,
  passwordFor: (user) => `Password for ${user}: `,
};

const id: Messages = {
  connected: (t) => `Tersambung ke ${t}`,
  uploaded: (name, bytes, wanted) =>
    name === wanted ? `File Berhasil Dibuat: ${name} (${bytes} byte)` : `File Berhasil Dibuat: ${name} (${bytes} byte), karena ${wanted} sudah ada`,
  downloaded: (name, bytes, wanted) =>
    name === wanted ? `File Berhasil Dibuat: ${name} (${bytes} byte)` : `File Berhasil Dibuat: ${name} (${bytes} byte), karena ${wanted} sudah ada`,
  deleted: () => 'File Berhasil Dihapus',
  notFound: () => 'File Tidak Ditemukan',
  size: (bytes) => `${megabytes(bytes)} MB (${bytes} byte)`,
  connectionClosed: () => 'Koneksi Ditutup',
  newConnection: () => 'Koneksi Baru Tersambung',
  bye: () => 'Sampai Jumpa',
  changedDir: (p) => `Sekarang di ${p}`,
  madeDir: (p) => `Direktori Berhasil Dibuat: ${p}`,
  removedDir: (p) => `Direktori Berhasil Dihapus: ${p}`,
  renamed: (from, to) => `File Berhasil Dipindahkan: ${from} -> ${to}`,
  empty: () => '(kosong)',
  unknownCommand: (name) => `Perintah Tidak Dikenal: ${name} (ketik help)`,
  usage: (u) => `Cara pakai: ${u}`,
  unclosedQuote: () => 'Tanda kutip tidak ditutup',
  error: (text) => `Gagal: ${text}`,
  notConnected: () => 'Tidak Tersambung (connme membuka koneksi baru)',
  helpHeader: () => 'Perintah:',
  verified: (name, method) =>
    `Terverifikasi ${name}: SHA-256 cocok (${method === 'hash' ? 'HASH dari server' : 'diunduh ulang dan di-hash di sini: server tidak punya HASH'})`,
  treeDone: (t) =>
    [
      `${t.files} File Berhasil Dibuat (${t.bytes} byte) di ${t.dir}`,
      ...(t.failed > 0 ? [`${t.failed} gagal`] : []),
      ...(t.verified ? [`SHA-256 cocok (${t.verified === 'hash' ? 'HASH dari server' : 'diunduh ulang dan di-hash di sini'})`] : []),
    ].join('; '),
  noMatch: (pattern) => `Tidak ada file yang cocok dengan ${pattern}`,
  localDir: (p) => `Direktori lokal sekarang ${p}`,
  quitHint: () => '(Untuk keluar, tekan Ctrl-C lagi atau ketik byebye)',
  eta: () => 'sisa',
  retrying: (attempt, of, reason) => `mencoba lagi (${attempt}/${of}) setelah: ${reason}`,
  passwordFor: (user) => `Kata sandi untuk ${user}: `,
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, id };

export function parseLang(text: string): Lang | null {
  return text === 'en' || text === 'id' ? text : null;
}
