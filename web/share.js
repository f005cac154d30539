/**
 * The public page of a share link, /s/<id>: no account, read-only. A
 * password prompt when the link has one, then the shared file's download,
 * or the shared folder's listing with downloads, previews and zips. Paths
 * are relative to the shared item, as the /api/s/<id>/... calls take them.
 */
import { api, query } from './api.js';
import { h, replace } from './dom.js';
import { button, modal } from './dialogs.js';
import { formatDate } from './format.js';
import { FileList } from './fileList.js';
import { errorText, lang, t } from './i18n.js';
import { canPreview, downloadLink, previewDialog, startDownload } from './preview.js';
import { hashFor, pathFromHash } from './manager.js';

let following = () => undefined;

export function shareSource(id) {
  const base = `/api/s/${encodeURIComponent(id)}`;
  return {
    readOnly: true,
    list: (path, params) => api('GET', `${base}/list?${query({ path, ...params })}`),
    fileUrl: (path, download) => `${base}/file?${query({ path, download: download ? 1 : undefined })}`,
    zipUrl: (paths) => `${base}/zip?${query({ path: paths })}`,
    info: () => api('GET', base),
    unlock: (password) => api('POST', `${base}/unlock`, { password }),
  };
}

/** Resolves with the element to show; draws again from the server's state each time (the language switch calls it again). */
export async function shareView(id, { announce }) {
  const source = shareSource(id);
  let info;
  try {
    info = await source.info();
  } catch (err) {
    return gone(err);
  }
  const wrap = h('div', { class: 'share-page' });
  const show = () => replace(wrap, header(info), info.type === 'dir' ? folder(source, info, announce) : file(source, info));
  if (info.needsPassword) replace(wrap, h('div', { class: 'login-wrap' }, passwordForm(source, info, show)));
  else show();
  return wrap;
}

function gone(err) {
  return h('div', { class: 'card notice', role: 'alert' }, h('h1', {}, t('sharedWithYou')), h('p', {}, err.status === 404 ? t('shareGone') : errorText(err)));
}

function header(info) {
  return h(
    'div',
    { class: 'share-head' },
    h('p', { class: 'eyebrow' }, t('sharedWithYou')),
    h('h1', { class: 'share-name' }, info.name),
    info.expires ? h('p', { class: 'hint' }, `${t('expires')}: ${formatDate(info.expires, lang())}`) : null,
  );
}

function passwordForm(source, info, onUnlocked) {
  const password = h('input', { id: 'share-password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'form-error', role: 'alert', id: 'share-error' });
  const form = h(
    'form',
    { class: 'card login', 'aria-labelledby': 'share-title' },
    h('p', { class: 'eyebrow' }, t('sharedWithYou')),
    h('h1', { id: 'share-title' }, info.name),
    h('p', {}, t('sharePassword')),
    h('label', { class: 'field', for: 'share-password' }, h('span', {}, t('password')), password),
    message,
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'primary' }, t('unlock'))),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      await source.unlock(password.value);
      onUnlocked();
    } catch (err) {
      message.textContent = err.status === 401 ? t('wrongPassword') : errorText(err);
      password.select();
    }
  });
  queueMicrotask(() => password.focus());
  return form;
}

function file(source, info) {
  const actions = [downloadLink(source.fileUrl('/', true), t('download'), 'button primary')];
  if (canPreview(info.name)) {
    actions.push(h('button', { type: 'button', onclick: () => previewDialog(info.name, source.fileUrl('/', false), source.fileUrl('/', true)) }, t('preview')));
  }
  return h('div', { class: 'toolbar' }, actions);
}

function folder(source, info, announce) {
  const selectionBar = h('div', { class: 'selection-bar', hidden: true });
  const list = new FileList(source, {
    href: hashFor,
    rootLabel: info.name,
    navigate: (path) => {
      location.hash = hashFor(path);
    },
    open: (entry, path) =>
      canPreview(entry.name) ? previewDialog(entry.name, source.fileUrl(path, false), source.fileUrl(path, true)) : startDownload(source.fileUrl(path, true)),
    actions: (entry, path) => {
      const items =
        entry.type === 'dir'
          ? [downloadLink(source.zipUrl([path]), t('downloadZip'), 'button menu-item')]
          : [downloadLink(source.fileUrl(path, true), t('download'), 'button menu-item')];
      if (entry.type !== 'dir' && canPreview(entry.name)) {
        items.unshift(
          h(
            'button',
            {
              type: 'button',
              class: 'menu-item',
              onclick: (e) => {
                e.currentTarget.closest('dialog').close('action');
                void previewDialog(entry.name, source.fileUrl(path, false), source.fileUrl(path, true));
              },
            },
            t('preview'),
          ),
        );
      }
      modal({
        title: entry.name,
        body: h('div', { class: 'menu', role: 'group' }, items),
        buttons: [button(t('cancel'), 'cancel')],
        className: 'actions-dialog',
      });
    },
    selectionChanged: (paths) => {
      selectionBar.hidden = paths.length === 0;
      replace(
        selectionBar,
        paths.length ? [h('span', { class: 'count' }, t('selected', paths.length)), downloadLink(source.zipUrl(paths), t('downloadZip'))] : [],
      );
    },
    failed: (err) => {
      announce(errorText(err), true);
      return false;
    },
  });
  // A redraw (the language switch) replaces the listing: the old one stops following the fragment.
  window.removeEventListener('hashchange', following);
  following = () => void list.show(pathFromHash(location.hash));
  window.addEventListener('hashchange', following);
  following();
  return h('div', {}, h('div', { class: 'toolbar' }, downloadLink(source.zipUrl(['/']), t('downloadAll'), 'button primary')), selectionBar, list.element);
}
