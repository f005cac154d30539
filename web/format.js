/** Sizes, dates and paths as people read them, in the page's language. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1 KB = 1024 bytes, as the shell counts them. */
export function formatSize(bytes, lang) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}

export function formatDate(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** `/a/b` + `c` -> `/a/b/c`. */
export function joinPath(dir, name) {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function parentOf(path) {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function baseName(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A name or path typed by a person, relative to `dir` unless it starts with `/`; `..` and `.` are resolved here, the server confines. */
export function resolvePath(dir, typed) {
  const parts = [];
  for (const part of (typed.startsWith('/') ? typed : joinPath(dir, typed)).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The crumbs of `/a/b`: [['/', '/'], ['a', '/a'], ['b', '/a/b']]. */
export function crumbs(path) {
  const out = [['/', '/']];
  let at = '';
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`;
    out.push([part, at]);
  }
  return out;
}

/** What the preview can show, by name: the server serves these inline. */
export function previewKind(name) {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'avif', 'ico'].includes(ext)) return 'image';
  if (ext === 'pdf') return 'pdf';
  if (
    ['txt', 'md', 'log', 'csv', 'json', 'xml', 'yml', 'yaml', 'toml', 'ini', 'conf', 'js', 'ts', 'css', 'html', 'sh', 'py', 'c', 'h', 'go', 'rs'].includes(ext)
  )
    return 'text';
  return null;
}
