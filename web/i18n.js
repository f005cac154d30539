/**
 * The page's words in English and Indonesian. Where the shell (`sockftp
 * connect --lang id`, src/client/repl/messages.ts) says the same thing, the
 * Indonesian is the shell's: "File Berhasil Dibuat", "File Berhasil Dihapus",
 * "File Tidak Ditemukan", "Direktori Berhasil Dibuat", "File Berhasil
 * Dipindahkan", "Koneksi Ditutup", "(kosong)", "Gagal: ...".
 * The language is the one remembered in localStorage, else the browser's.
 */

const en = {
  appName: 'sockftp',
  language: 'Language',
  signInTitle: 'Sign in',
  user: 'User name',
  password: 'Password',
  signIn: 'Sign in',
  signInAnonymous: 'Sign in anonymously',
  signOut: 'Sign out',
  signedInAs: (u) => `Signed in as ${u}`,
  loginFailed: 'Wrong user name or password.',
  banned: 'Too many failed sign-ins from this address. Try again later.',
  files: 'Files',
  breadcrumb: 'Folder path',
  root: 'Home',
  name: 'Name',
  size: 'Size',
  modified: 'Modified',
  actions: 'Actions',
  actionsFor: (n) => `Actions for ${n}`,
  select: (n) => `Select ${n}`,
  selectAll: 'Select all on this page',
  folder: 'Folder',
  empty: '(empty)',
  loading: 'Loading…',
  showing: (from, to, total) => `${from}–${to} of ${total}`,
  previous: 'Previous page',
  next: 'Next page',
  uploadFiles: 'Upload files',
  uploadFolder: 'Upload folder',
  newFolder: 'New folder',
  newFolderName: 'Name of the new folder',
  create: 'Create',
  cancel: 'Cancel',
  close: 'Close',
  ok: 'OK',
  selected: (n) => `${n} selected`,
  downloadZip: 'Download as zip',
  deleteSelected: 'Delete',
  clearSelection: 'Clear selection',
  open: 'Open',
  preview: 'Preview',
  download: 'Download',
  rename: 'Rename or move',
  renameTo: 'New name, or a path to move it to',
  share: 'Share link',
  sha256: 'SHA-256',
  computing: 'Computing…',
  copy: 'Copy',
  copied: 'Copied',
  delete: 'Delete',
  confirmDelete: (n, name) => (n === 1 ? `Delete “${name}”? This cannot be undone.` : `Delete ${n} items? This cannot be undone.`),
  deleted: (n) => (n === 1 ? 'Deleted' : `Deleted ${n} items`),
  madeDir: (p) => `Created folder ${p}`,
  renamed: (a, b) => `Renamed ${a} to ${b}`,
  dropHere: 'Drop files or folders here to upload them',
  uploads: 'Uploads',
  overall: 'All uploads',
  uploaded: (n) => `Uploaded ${n}`,
  uploadFailed: (n, why) => `Upload of ${n} failed: ${why}`,
  cancelUpload: (n) => `Cancel upload of ${n}`,
  cancelled: 'Cancelled',
  waiting: 'Waiting',
  resumedAt: (p) => `resumed at ${p}%`,
  done: 'Done',
  clearFinished: 'Clear finished',
  unfinished: (names) => `Not finished when the page closed: ${names}. Pick the same file again to go on from where it stopped.`,
  shares: 'Share links',
  shareOf: (p) => `Share link for ${p}`,
  expiresIn: 'Expires in',
  hour: '1 hour',
  day: '1 day',
  week: '7 days',
  month: '30 days',
  optionalPassword: 'Password (optional)',
  createLink: 'Create link',
  link: 'Link',
  expires: 'Expires',
  protectedByPassword: 'Password',
  yes: 'yes',
  no: 'no',
  revoke: 'Revoke',
  revoked: 'Link revoked',
  noShares: 'No share links yet.',
  sharedWithYou: 'Shared with you',
  sharePassword: 'This link is protected by a password.',
  unlock: 'Open',
  wrongPassword: 'Wrong password.',
  shareGone: 'This link has expired or was revoked.',
  downloadAll: 'Download all as zip',
  notFound: 'File not found',
  permission: 'Permission denied',
  exists: 'A file or folder of that name already exists',
  tooLarge: 'The file is larger than the server accepts',
  unavailable: 'The storage is unavailable; try again',
  network: 'Connection closed',
  notEmpty: 'The folder is not empty',
  rateLimited: 'Too many requests; slow down and try again',
  sessionEnded: 'Your session has ended; sign in again.',
  error: (text) => `Error: ${text}`,
  previewUnavailable: 'No preview for this kind of file.',
  truncated: 'Only the beginning of the file is shown.',
};

const id = {
  appName: 'sockftp',
  language: 'Bahasa',
  signInTitle: 'Masuk',
  user: 'Nama pengguna',
  password: 'Kata sandi',
  signIn: 'Masuk',
  signInAnonymous: 'Masuk sebagai anonim',
  signOut: 'Keluar',
  signedInAs: (u) => `Masuk sebagai ${u}`,
  loginFailed: 'Nama pengguna atau kata sandi salah.',
  banned: 'Terlalu banyak percobaan masuk yang gagal dari alamat ini. Coba lagi nanti.',
  files: 'File',
  breadcrumb: 'Lokasi folder',
  root: 'Beranda',
  name: 'Nama',
  size: 'Ukuran',
  modified: 'Diubah',
  actions: 'Tindakan',
  actionsFor: (n) => `Tindakan untuk ${n}`,
  select: (n) => `Pilih ${n}`,
  selectAll: 'Pilih semua di halaman ini',
  folder: 'Folder',
  empty: '(kosong)',
  loading: 'Memuat…',
  showing: (from, to, total) => `${from}–${to} dari ${total}`,
  previous: 'Halaman sebelumnya',
  next: 'Halaman berikutnya',
  uploadFiles: 'Unggah file',
  uploadFolder: 'Unggah folder',
  newFolder: 'Folder baru',
  newFolderName: 'Nama folder baru',
  create: 'Buat',
  cancel: 'Batal',
  close: 'Tutup',
  ok: 'OK',
  selected: (n) => `${n} dipilih`,
  downloadZip: 'Unduh sebagai zip',
  deleteSelected: 'Hapus',
  clearSelection: 'Batalkan pilihan',
  open: 'Buka',
  preview: 'Pratinjau',
  download: 'Unduh',
  rename: 'Ganti nama atau pindahkan',
  renameTo: 'Nama baru, atau lokasi tujuan',
  share: 'Tautan berbagi',
  sha256: 'SHA-256',
  computing: 'Menghitung…',
  copy: 'Salin',
  copied: 'Tersalin',
  delete: 'Hapus',
  confirmDelete: (n, name) => (n === 1 ? `Hapus “${name}”? Tindakan ini tidak dapat dibatalkan.` : `Hapus ${n} item? Tindakan ini tidak dapat dibatalkan.`),
  deleted: () => 'File Berhasil Dihapus',
  madeDir: (p) => `Direktori Berhasil Dibuat: ${p}`,
  renamed: (a, b) => `File Berhasil Dipindahkan: ${a} -> ${b}`,
  dropHere: 'Letakkan file atau folder di sini untuk mengunggahnya',
  uploads: 'Unggahan',
  overall: 'Semua unggahan',
  uploaded: (n) => `File Berhasil Dibuat: ${n}`,
  uploadFailed: (n, why) => `Gagal mengunggah ${n}: ${why}`,
  cancelUpload: (n) => `Batalkan unggahan ${n}`,
  cancelled: 'Dibatalkan',
  waiting: 'Menunggu',
  resumedAt: (p) => `dilanjutkan dari ${p}%`,
  done: 'Selesai',
  clearFinished: 'Hapus yang selesai dari daftar',
  unfinished: (names) => `Belum selesai saat halaman ditutup: ${names}. Pilih file yang sama lagi untuk melanjutkan dari titik terakhir.`,
  shares: 'Tautan berbagi',
  shareOf: (p) => `Tautan berbagi untuk ${p}`,
  expiresIn: 'Berlaku selama',
  hour: '1 jam',
  day: '1 hari',
  week: '7 hari',
  month: '30 hari',
  optionalPassword: 'Kata sandi (opsional)',
  createLink: 'Buat tautan',
  link: 'Tautan',
  expires: 'Berakhir',
  protectedByPassword: 'Kata sandi',
  yes: 'ya',
  no: 'tidak',
  revoke: 'Cabut',
  revoked: 'Tautan dicabut',
  noShares: 'Belum ada tautan berbagi.',
  sharedWithYou: 'Dibagikan kepada Anda',
  sharePassword: 'Tautan ini dilindungi kata sandi.',
  unlock: 'Buka',
  wrongPassword: 'Kata sandi salah.',
  shareGone: 'Tautan ini sudah berakhir atau dicabut.',
  downloadAll: 'Unduh semua sebagai zip',
  notFound: 'File Tidak Ditemukan',
  permission: 'Akses ditolak',
  exists: 'Sudah ada file atau folder dengan nama itu',
  tooLarge: 'File lebih besar dari yang diterima server',
  unavailable: 'Penyimpanan tidak tersedia; coba lagi',
  network: 'Koneksi Ditutup',
  notEmpty: 'Folder tidak kosong',
  rateLimited: 'Terlalu banyak permintaan; tunggu sebentar lalu coba lagi',
  sessionEnded: 'Sesi Anda berakhir; silakan masuk lagi.',
  error: (text) => `Gagal: ${text}`,
  previewUnavailable: 'Tidak ada pratinjau untuk jenis file ini.',
  truncated: 'Hanya bagian awal file yang ditampilkan.',
};

const DICTIONARIES = { en, id };
const STORAGE_KEY = 'sockftp.lang';

function initialLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage refused (private mode): the browser's language it is.
  }
  if (saved && saved in DICTIONARIES) return saved;
  return (navigator.languages ?? [navigator.language]).some((l) => /^(id|in)\b/i.test(l)) ? 'id' : 'en';
}

let current = initialLang();

export const LANGUAGES = [
  ['en', 'English'],
  ['id', 'Bahasa Indonesia'],
];

export function lang() {
  return current;
}

export function setLang(code) {
  if (!(code in DICTIONARIES)) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Not remembered, still switched.
  }
  document.documentElement.lang = code;
}

/** The word for `key`, or the phrase it makes with `args`. */
export function t(key, ...args) {
  const entry = DICTIONARIES[current][key] ?? en[key] ?? key;
  return typeof entry === 'function' ? entry(...args) : entry;
}

/** What to tell a person about a failed call (an ApiError from api.js). */
export function errorText(err) {
  const byCode = {
    login_failed: 'loginFailed',
    banned: 'banned',
    not_found: 'notFound',
    permission: 'permission',
    outside_root: 'permission',
    exists: 'exists',
    too_large: 'tooLarge',
    storage_unavailable: 'unavailable',
    not_empty: 'notEmpty',
    rate_limited: 'rateLimited',
    not_logged_in: 'sessionEnded',
    network: 'network',
    share_not_found: 'shareGone',
  };
  const key = byCode[err?.code] ?? (err?.status === 429 ? 'banned' : err?.status === 404 ? 'notFound' : err?.status === 413 ? 'tooLarge' : null);
  return key ? t(key) : t('error', err?.message ?? String(err));
}
