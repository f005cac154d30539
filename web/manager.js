/**
 * The signed-in user's file manager: a toolbar (upload files or a folder,
 * new folder, share links), the listing, the selection's actions (zip,
 * delete), each entry's actions (preview, download, rename or move, share,
 * SHA-256, delete), drag-and-drop anywhere on it, and the uploads panel.
 * The folder shown is in the URL's fragment, so reload and Back keep it.
 */
import { api, userSource } from './api.js';
import { h, replace } from './dom.js';
import { button, confirmDialog, copyText, modal, promptDialog } from './dialogs.js';
import { baseName, parentOf, resolvePath } from './format.js';
import { FileList } from './fileList.js';
import { errorText, t } from './i18n.js';
import { canPreview, downloadLink, previewDialog, startDownload } from './preview.js';
import { createShareDialog, sharesDialog } from './shares.js';
import { filesFromDrop, filesFromInput, Uploads } from './uploads.js';

export function pathFromHash(hash) {
  const raw = hash.replace(/^#/, '');
  if (!raw.startsWith('/')) return '/';
  try {
    return resolvePath('/', raw.split('/').map(decodeURIComponent).join('/'));
  } catch {
    return '/';
  }
}

export function hashFor(path) {
  return `#${path.split('/').map(encodeURIComponent).join('/')}`;
}

export class FileManager {
  constructor({ user, anonymous, permissions, announce, onSessionEnded }) {
    this.user = user;
    // The server refuses share links to anonymous sessions, so the page offers none.
    this.canShare = !anonymous;
    // What the account may do (the session's answer); only the controls it can use are shown. The server checks regardless.
    this.may = (what) => !permissions || permissions.includes(what);
    this.announce = announce;
    this.onSessionEnded = onSessionEnded;
    this.onHash = () => void this.list.show(pathFromHash(location.hash));
    this.list = new FileList(userSource, {
      href: hashFor,
      navigate: (path) => {
        location.hash = hashFor(path);
      },
      open: (entry, path) => this.openFile(entry, path),
      actions: (entry, path) => this.entryActions(entry, path),
      deleteOne: (entry, path) => this.may('delete') && this.remove([path]),
      selectionChanged: (paths) => this.drawSelection(paths),
      failed: (err) => this.failed(err),
    });
    this.uploads = new Uploads({ user, announce, onFinished: (dir) => dir === this.list.path && this.refreshSoon() });
    this.fileInput = h('input', { type: 'file', multiple: true, hidden: true, id: 'pick-files', onchange: (e) => this.picked(e.currentTarget) });
    this.folderInput = h('input', {
      type: 'file',
      multiple: true,
      hidden: true,
      id: 'pick-folder',
      webkitdirectory: true,
      onchange: (e) => this.picked(e.currentTarget),
    });
    this.toolbar = h('div', { class: 'toolbar', role: 'toolbar' });
    this.selectionBar = h('div', { class: 'selection-bar', hidden: true, 'aria-live': 'polite' });
    this.dropHint = h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, t('dropHere'));
    this.element = h(
      'div',
      { class: 'manager' },
      this.toolbar,
      this.selectionBar,
      this.list.element,
      this.uploads.element,
      this.fileInput,
      this.folderInput,
      this.dropHint,
    );
    this.wireDrop();
    this.drawToolbar();
  }

  start() {
    window.addEventListener('hashchange', this.onHash);
    this.onHash();
  }

  stop() {
    window.removeEventListener('hashchange', this.onHash);
  }

  redraw() {
    this.drawToolbar();
    replace(this.dropHint, t('dropHere'));
    this.list.element.setAttribute('aria-label', t('files'));
    this.list.render();
  }

  failed(err) {
    if (err?.status !== 401) return false;
    this.stop();
    this.onSessionEnded();
    return true;
  }

  drawToolbar() {
    replace(
      this.toolbar,
      this.may('write') ? h('button', { type: 'button', class: 'primary', id: 'upload-files', onclick: () => this.fileInput.click() }, t('uploadFiles')) : null,
      this.may('write') ? h('button', { type: 'button', id: 'upload-folder', onclick: () => this.folderInput.click() }, t('uploadFolder')) : null,
      this.may('mkdir') ? h('button', { type: 'button', id: 'new-folder', onclick: () => this.mkdir() }, t('newFolder')) : null,
      this.canShare ? h('button', { type: 'button', id: 'show-shares', onclick: () => sharesDialog(this.announce) }, t('shares')) : null,
    );
    this.toolbar.setAttribute('aria-label', t('actions'));
  }

  drawSelection(paths) {
    this.selectionBar.hidden = paths.length === 0;
    if (paths.length === 0) return replace(this.selectionBar);
    replace(
      this.selectionBar,
      h('span', { class: 'count' }, t('selected', paths.length)),
      downloadLink(userSource.zipUrl(paths), t('downloadZip'), 'button'),
      this.may('delete') ? h('button', { type: 'button', class: 'danger', onclick: () => this.remove(paths) }, t('deleteSelected')) : null,
      h('button', { type: 'button', class: 'ghost', onclick: () => this.list.clearSelection() }, t('clearSelection')),
    );
  }

  /** Several uploads finishing together refresh the listing once; one finishing during a refresh gets another after it. */
  refreshSoon() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    void (async () => {
      do {
        this.refreshAgain = false;
        await this.list.reload();
      } while (this.refreshAgain);
      this.refreshing = false;
    })();
  }

  picked(input) {
    const files = filesFromInput(input);
    input.value = '';
    if (files.length > 0) this.uploads.add(files, this.list.path);
  }

  wireDrop() {
    let depth = 0;
    const el = this.element;
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    el.addEventListener('dragenter', (e) => {
      if (!hasFiles(e) || !this.may('write')) return;
      e.preventDefault();
      depth++;
      el.classList.add('dragging');
    });
    el.addEventListener('dragover', (e) => {
      if (!hasFiles(e) || !this.may('write')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    });
    el.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) el.classList.remove('dragging');
    });
    el.addEventListener('drop', (e) => {
      if (!this.may('write')) return;
      e.preventDefault();
      depth = 0;
      el.classList.remove('dragging');
      const dir = this.list.path;
      filesFromDrop(e.dataTransfer).then(
        (files) => files.length > 0 && this.uploads.add(files, dir),
        (err) => this.announce(errorText(err), true),
      );
    });
  }

  /** One change (POST url body), announced as `done` or as its error, then the listing read again either way. */
  async change(url, body, done) {
    try {
      await api('POST', url, body);
      this.announce(done);
    } catch (err) {
      if (this.failed(err)) return;
      this.announce(errorText(err), true);
    }
    await this.list.reload();
  }

  async mkdir() {
    const name = await promptDialog(t('newFolder'), t('newFolderName'), '', t('create'));
    if (!name) return;
    const path = resolvePath(this.list.path, name);
    await this.change('/api/mkdir', { path }, t('madeDir', path));
  }

  async rename(path) {
    const typed = await promptDialog(t('rename'), t('renameTo'), baseName(path), t('ok'));
    if (!typed || typed === baseName(path)) return;
    const to = resolvePath(parentOf(path), typed);
    await this.change('/api/rename', { from: path, to }, t('renamed', path, to));
  }

  async remove(paths) {
    if (!(await confirmDialog(t('confirmDelete', paths.length, baseName(paths[0])), t('delete')))) return;
    await this.change('/api/delete', { paths }, t('deleted', paths.length));
  }

  openFile(entry, path) {
    if (canPreview(entry.name)) return previewDialog(entry.name, userSource.fileUrl(path, false), userSource.fileUrl(path, true));
    startDownload(userSource.fileUrl(path, true));
  }

  async sha256(path) {
    const value = h('code', { class: 'hash' }, t('computing'));
    const copy = h(
      'button',
      { type: 'button', disabled: true, onclick: async () => (await copyText(value.textContent)) && this.announce(t('copied')) },
      t('copy'),
    );
    const { closed } = modal({
      title: `${t('sha256')}: ${baseName(path)}`,
      body: h('p', { class: 'hash-row', 'aria-live': 'polite' }, value, copy),
      buttons: [button(t('close'), 'close')],
    });
    try {
      const { sha256 } = await api('GET', `/api/sha256?${new URLSearchParams({ path })}`);
      value.textContent = sha256;
      copy.disabled = false;
    } catch (err) {
      value.textContent = errorText(err);
    }
    return closed;
  }

  /** One entry's actions, as a menu in a dialog: the same on a phone as with a keyboard. */
  entryActions(entry, path) {
    const isDir = entry.type === 'dir';
    const action = (label, run, kind = '') =>
      h(
        'button',
        {
          type: 'button',
          class: `menu-item ${kind}`,
          onclick: (e) => {
            e.currentTarget.closest('dialog').close('action');
            void run();
          },
        },
        label,
      );
    const items = [
      isDir ? action(t('open'), () => this.list.handlers.navigate(path)) : null,
      !isDir && canPreview(entry.name) ? action(t('preview'), () => this.openFile(entry, path)) : null,
      downloadLink(isDir ? userSource.zipUrl([path]) : userSource.fileUrl(path, true), isDir ? t('downloadZip') : t('download'), 'button menu-item'),
      this.may('rename') ? action(t('rename'), () => this.rename(path)) : null,
      this.canShare ? action(t('share'), () => createShareDialog(path, this.announce)) : null,
      isDir ? null : action(t('sha256'), () => this.sha256(path)),
      this.may('delete') ? action(t('delete'), () => this.remove([path]), 'danger') : null,
    ];
    const menu = h('div', { class: 'menu', role: 'group', 'aria-label': t('actionsFor', entry.name) }, items);
    // Closed after the click's own work (the download) has started, not during it.
    menu.querySelector('a')?.addEventListener('click', (e) => {
      const dialog = e.currentTarget.closest('dialog');
      setTimeout(() => dialog.close('action'), 0);
    });
    modal({ title: entry.name, body: menu, buttons: [button(t('cancel'), 'cancel')], className: 'actions-dialog' });
  }
}
