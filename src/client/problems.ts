/**
 * The client's own words for what went wrong, one row per problem, in
 * English and Indonesian. A server's reply and the system's messages are
 * not here: they are shown as they came.
 */
export type Lang = 'en' | 'id';

type Words = (...args: string[]) => string;

export const PROBLEMS = {
  badTarget: {
    en: (text) => `"${text}" is not HOST, HOST:PORT or an ftp:// or ftps:// URL`,
    id: (text) => `"${text}" bukan HOST, HOST:PORT atau URL ftp:// atau ftps://`,
  },
  cannotConnect: { en: (target) => `cannot connect to ${target}`, id: (target) => `tidak bisa tersambung ke ${target}` },
  loginRefused: { en: (user) => `login as ${user} refused`, id: (user) => `login sebagai ${user} ditolak` },
  noPassword: {
    en: (user) => `no password for ${user}: put it in ~/.netrc, the URL or SOCKFTP_PASSWORD`,
    id: (user) => `tidak ada kata sandi untuk ${user}: tulis di ~/.netrc, URL atau SOCKFTP_PASSWORD`,
  },
  notConnected: { en: () => 'not connected', id: () => 'tidak tersambung' },
  connectionRefused: { en: () => 'connection refused', id: () => 'koneksi ditolak' },
  connectionReset: { en: () => 'connection reset by the server', id: () => 'koneksi diputus oleh server' },
  connectionLost: { en: () => 'the server closed the connection', id: () => 'server menutup koneksi' },
  timedOut: { en: () => 'timed out', id: () => 'waktu habis' },
  hostNotFound: { en: () => 'host not found', id: () => 'host tidak ditemukan' },
  hostUnreachable: { en: () => 'host unreachable', id: () => 'host tidak terjangkau' },
  noLocalFile: { en: () => 'no such local file', id: () => 'file lokal tidak ada' },
  localPermission: { en: () => 'permission denied (local file)', id: () => 'akses ditolak (file lokal)' },
  localIsDir: { en: () => 'is a directory (local)', id: () => 'sebuah direktori (lokal)' },
  localNotDir: { en: () => 'not a directory (local)', id: () => 'bukan direktori (lokal)' },
  localNoSpace: { en: () => 'no space left on the local disk', id: () => 'disk lokal penuh' },
  remoteLarger: { en: (local) => `the remote file is larger than ${local}`, id: (local) => `file di server lebih besar dari ${local}` },
  localLarger: { en: (remote) => `the local file is larger than ${remote}`, id: (remote) => `file lokal lebih besar dari ${remote}` },
  interrupted: { en: () => 'interrupted', id: () => 'dibatalkan' },
  interruptedDownload: {
    en: (bytes) => `interrupted after ${bytes} bytes (download -c resumes it)`,
    id: (bytes) => `dibatalkan setelah ${bytes} byte (download -c melanjutkannya)`,
  },
  interruptedUpload: { en: (bytes) => `interrupted after ${bytes} bytes`, id: (bytes) => `dibatalkan setelah ${bytes} byte` },
  dataTimedOut: { en: () => 'the data connection timed out', id: () => 'waktu koneksi data habis' },
  dataClosedInHandshake: {
    en: () => 'the data connection closed during its TLS handshake',
    id: () => 'koneksi data tertutup saat jabat tangan TLS',
  },
  unexpectedReply: {
    en: (reply) => `unexpected reply during a transfer: ${reply}`,
    id: (reply) => `balasan tak terduga saat transfer: ${reply}`,
  },
  notAUrl: { en: (text) => `"${text}" is not an ftp:// or ftps:// URL`, id: (text) => `"${text}" bukan URL ftp:// atau ftps://` },
  urlNamesNoFile: {
    en: (url) => `${url} names no file: add its path, as in ftp://host/dir/file`,
    id: (url) => `${url} tidak menyebut file: tambahkan path-nya, seperti ftp://host/dir/file`,
  },
  noDataConnection: {
    en: (seconds) => `the server did not open the data connection within ${seconds} s`,
    id: (seconds) => `server tidak membuka koneksi data dalam ${seconds} detik`,
  },
  listingTooLarge: { en: (limit) => `the listing is larger than ${limit} bytes`, id: (limit) => `daftar file lebih besar dari ${limit} byte` },
  noPortForIPv6: {
    en: () => 'the server does not support EPRT, and PORT cannot carry an IPv6 address',
    id: () => 'server tidak mendukung EPRT, dan PORT tidak bisa membawa alamat IPv6',
  },
  badHashReply: { en: (reply) => `cannot read the server's HASH reply: ${reply}`, id: (reply) => `balasan HASH server tidak terbaca: ${reply}` },
  hashDiffersByHash: {
    en: (here, there) => `SHA-256 differs (the server's HASH): ${here}... here, ${there}... there`,
    id: (here, there) => `SHA-256 berbeda (HASH dari server): ${here}... di sini, ${there}... di server`,
  },
  hashDiffersByDownload: {
    en: (here, there) => `SHA-256 differs (downloaded again and hashed here: the server has no HASH): ${here}... here, ${there}... there`,
    id: (here, there) => `SHA-256 berbeda (diunduh ulang dan di-hash di sini: server tidak punya HASH): ${here}... di sini, ${there}... di server`,
  },
  gaveUp: { en: (retries) => `gave up after ${retries} retries`, id: (retries) => `menyerah setelah mencoba lagi ${retries} kali` },
  notLocalDir: { en: () => 'not a local directory', id: () => 'bukan direktori lokal' },
} satisfies Record<string, Record<Lang, Words>>;

export type ProblemKey = keyof typeof PROBLEMS;

export function problemText(key: ProblemKey, lang: Lang, args: readonly string[] = []): string {
  const words: Words = PROBLEMS[key][lang];
  return words(...args);
}
