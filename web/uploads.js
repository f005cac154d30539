/**
 * Uploads over tus (tus-js-client, /assets/vendor/tus.min.js): each file
 * resumable, so a dropped connection retries from the offset the server
 * holds, and a page reload resumes when the same file is picked again (its
 * fingerprint, kept in localStorage, names the unfinished upload).
 * A panel shows a bar per file and one for all; each can be cancelled.
 */
import { csrf } from './api.js';
import { h, replace } from './dom.js';
import { formatSize } from './format.js';
import { errorText, lang, t } from './i18n.js';

/** Files sent at once; the rest wait their turn. */
const PARALLEL = 3;
/**
 * Bytes per PATCH. A browser re-sends a request whose reused connection was
 * reset, from its first byte, before the page hears of it: in one request
 * that is the whole file again; in chunks, at most one chunk.
 */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Retries after a dropped connection: the first at once, then backing off. */
const RETRY_DELAYS = [0, 500, 1000, 2000, 4000, 8000];

export class Uploads {
  /** `onFinished(dir)` is called when a file lands, to refresh the listing; `announce(text)` speaks in the live region. */
  constructor({ onFinished, announce, user }) {
    this.onFinished = onFinished;
    this.announce = announce;
    this.user = user;
    this.items = [];
    this.overallBar = h('progress', { max: 100, value: 0, 'aria-label': t('overall') });
    this.overallText = h('span', { class: 'overall-text' });
    this.overall = h('div', { class: 'overall' }, this.overallBar, this.overallText);
    this.list = h('ul', { class: 'upload-list' });
    this.element = h(
      'section',
      { class: 'uploads', 'aria-label': t('uploads'), hidden: true },
      h(
        'div',
        { class: 'uploads-head' },
        h('h2', {}, t('uploads')),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.clearFinished() }, t('clearFinished')),
      ),
      this.overall,
      this.list,
    );
    this.earlierNote = h('p', { class: 'hint unfinished', role: 'status' });
    this.earlier = unfinishedEarlier(user);
    this.list.before(this.earlierNote);
    this.renderEarlier();
    this.renderOverall();
  }

  /** Uploads a closed or reloaded page left unfinished: picking the same file again resumes each. */
  renderEarlier() {
    const left = this.earlier.filter((e) => !this.items.some((i) => i.dir === e.dir && i.relPath === e.relPath));
    this.earlierNote.hidden = left.length === 0;
    replace(this.earlierNote, left.length ? t('unfinished', left.map((e) => e.relPath).join(', ')) : '');
    if (left.length > 0) this.element.hidden = false;
  }

  /** `files`: [{ file: File, relPath: 'sub/name.txt' }], all going into `dir`. */
  add(files, dir) {
    for (const { file, relPath } of files) {
      const item = { file, relPath, dir, sent: 0, total: file.size, state: 'waiting', upload: null };
      item.bar = h('progress', { max: 100, value: 0, 'aria-label': relPath });
      item.status = h('span', { class: 'upload-status' }, t('waiting'));
      item.cancel = h('button', { type: 'button', class: 'icon-button', 'aria-label': t('cancelUpload', relPath), onclick: () => this.cancel(item) }, '✕');
      item.element = h(
        'li',
        { class: 'upload', 'data-name': relPath },
        h('span', { class: 'upload-name' }, relPath),
        h('span', { class: 'upload-size' }, formatSize(file.size, lang())),
        item.bar,
        item.status,
        item.cancel,
      );
      this.items.push(item);
      this.list.append(item.element);
    }
    this.element.hidden = false;
    this.renderEarlier();
    this.pump();
    this.renderOverall();
  }

  pump() {
    const running = this.items.filter((i) => i.state === 'running').length;
    for (const item of this.items.filter((i) => i.state === 'waiting').slice(0, Math.max(0, PARALLEL - running))) this.start(item);
  }

  start(item) {
    const tus = globalThis.tus;
    item.state = 'running';
    const upload = new tus.Upload(item.file, {
      endpoint: '/api/uploads',
      retryDelays: RETRY_DELAYS,
      chunkSize: CHUNK_BYTES,
      headers: { 'X-CSRF-Token': csrf() },
      metadata: { filename: item.relPath, dir: item.dir, filetype: item.file.type || 'application/octet-stream' },
      // One upload per user, target and file version: the same file picked again after a reload resumes.
      fingerprint: (file) => Promise.resolve(fingerprint(this.user, item.dir, item.relPath, file)),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => {
        // The first progress after resuming starts at the offset the server already held.
        if (item.resumed && item.resumedFrom === undefined) item.resumedFrom = total > 0 ? Math.floor((sent / total) * 100) : 0;
        item.sent = sent;
        item.total = total;
        this.renderItem(item);
        this.renderOverall();
      },
      onSuccess: () => this.finish(item, 'done'),
      onError: (err) => this.finish(item, 'failed', err),
      onShouldRetry: (err, attempt, options) => {
        const status = err?.originalResponse?.getStatus?.() ?? 0;
        // A refusal (too large, no permission, signed out) will not change on retry; a dropped connection, a 5xx,
        // an offset the server moved (409), an upload still being written (423) or a rate limit (429) may.
        if (status >= 400 && status < 500 && ![409, 423, 429].includes(status)) return false;
        return attempt < options.retryDelays.length;
      },
    });
    item.upload = upload;
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (item.state !== 'running') return;
        if (previous.length > 0) {
          upload.resumeFromPreviousUpload(previous[0]);
          item.resumed = true;
        }
        upload.start();
      })
      .catch((err) => this.finish(item, 'failed', err));
    this.renderItem(item);
  }

  finish(item, state, err) {
    if (item.state !== 'running') return;
    item.state = state;
    if (state === 'done') {
      item.sent = item.total;
      this.announce(t('uploaded', item.relPath));
      this.onFinished(item.dir);
    } else if (state === 'failed') {
      item.error = uploadErrorText(err);
      this.announce(t('uploadFailed', item.relPath, item.error), true);
    }
    this.renderItem(item);
    this.renderOverall();
    this.pump();
  }

  cancel(item) {
    const wasRunning = item.state === 'running';
    if (item.state !== 'running' && item.state !== 'waiting') return;
    item.state = 'cancelled';
    // abort(true) also ends the upload on the server (tus termination), so nothing half-sent stays behind.
    if (wasRunning && item.upload) item.upload.abort(true).catch(() => undefined);
    this.announce(`${t('cancelled')}: ${item.relPath}`);
    this.renderItem(item);
    this.renderOverall();
    this.pump();
  }

  clearFinished() {
    this.items = this.items.filter((item) => {
      const keep = item.state === 'running' || item.state === 'waiting';
      if (!keep) item.element.remove();
      return keep;
    });
    if (this.items.length === 0) this.element.hidden = true;
    this.renderOverall();
  }

  renderItem(item) {
    const percent = item.total > 0 ? Math.floor((item.sent / item.total) * 100) : item.state === 'done' ? 100 : 0;
    item.bar.value = percent;
    item.element.dataset.state = item.state;
    const text = {
      waiting: t('waiting'),
      running: item.resumedFrom === undefined ? `${percent}%` : `${percent}% · ${t('resumedAt', item.resumedFrom)}`,
      done: t('done'),
      failed: item.error,
      cancelled: t('cancelled'),
    }[item.state];
    replace(item.status, text);
    item.cancel.hidden = item.state !== 'running' && item.state !== 'waiting';
  }

  renderOverall() {
    this.overall.hidden = this.items.length === 0;
    const live = this.items.filter((i) => i.state !== 'cancelled' && i.state !== 'failed');
    const total = live.reduce((n, i) => n + i.total, 0);
    const sent = live.reduce((n, i) => n + i.sent, 0);
    const percent = total > 0 ? Math.floor((sent / total) * 100) : live.length > 0 ? 100 : 0;
    this.overallBar.value = percent;
    const done = live.filter((i) => i.state === 'done').length;
    replace(this.overallText, `${done}/${live.length} · ${formatSize(sent, lang())} / ${formatSize(total, lang())} · ${percent}%`);
  }
}

const FINGERPRINT_MARK = 'sockftp';
const SEPARATOR = '\u0000';

function fingerprint(user, dir, relPath, file) {
  return [FINGERPRINT_MARK, user, dir, relPath, file.size, file.lastModified].join(SEPARATOR);
}

/** tus-js-client keeps each unfinished upload as localStorage "tus::<fingerprint>::<id>"; ours are this user's. */
function unfinishedEarlier(user) {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) ?? '';
      if (!key.startsWith(`tus::${FINGERPRINT_MARK}${SEPARATOR}`)) continue;
      const [, who, dir, relPath] = key.slice('tus::'.length).split(SEPARATOR);
      if (who === user && !out.some((e) => e.dir === dir && e.relPath === relPath)) out.push({ dir, relPath });
    }
  } catch {
    // No storage, nothing to resume.
  }
  return out;
}

function uploadErrorText(err) {
  const status = err?.originalResponse?.getStatus?.() ?? 0;
  if (status === 413) return t('tooLarge');
  if (status === 403) return t('permission');
  if (status === 401) return t('sessionEnded');
  if (status === 409) return t('exists');
  if (status === 0) return t('network');
  return errorText({ status, message: err?.message });
}

/**
 * The files of a drop, folders walked (webkitGetAsEntry), each with its path
 * below the drop. Entries must be taken from the DataTransfer synchronously,
 * before the first await: the browser empties it after the event.
 */
export async function filesFromDrop(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => [i.webkitGetAsEntry?.() ?? null, i.getAsFile()]);
  if (entries.length === 0) return [...dataTransfer.files].map((file) => ({ file, relPath: file.name }));
  const out = [];
  for (const [entry, file] of entries) {
    if (entry) await walk(entry, out);
    else if (file) out.push({ file, relPath: file.name });
  }
  return out;
}

async function walk(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, relPath: entry.fullPath.replace(/^\/+/, '') });
    return;
  }
  const reader = entry.createReader();
  // readEntries gives a batch at a time (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}

/** The files of an <input type=file>, with their path below a picked folder (webkitRelativePath) when there is one. */
export function filesFromInput(input) {
  return [...input.files].map((file) => ({ file, relPath: file.webkitRelativePath || file.name }));
}
