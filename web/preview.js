/** Previews of images, PDF and text, and the download links beside them; used by the file manager and the share page alike. */
import { h } from './dom.js';
import { button, modal } from './dialogs.js';
import { previewKind } from './format.js';
import { errorText, t } from './i18n.js';

/** The first 1 MiB of a text file is shown; more would only slow the page. */
const TEXT_BYTES = 1024 * 1024;

export function downloadLink(href, label = t('download'), className = 'button') {
  return h('a', { href, download: '', class: className }, label);
}

/** Starts a download as a click on a link would. */
export function startDownload(href) {
  const a = downloadLink(href);
  document.body.append(a);
  a.click();
  a.remove();
}

export function canPreview(name) {
  return previewKind(name) !== null;
}

/** `inlineUrl` serves the file inline; `downloadUrl` as an attachment. */
export function previewDialog(name, inlineUrl, downloadUrl) {
  const kind = previewKind(name);
  let content;
  if (kind === 'image') content = h('img', { src: inlineUrl, alt: name, class: 'preview-image' });
  else if (kind === 'pdf') content = h('iframe', { src: inlineUrl, title: name, class: 'preview-frame' });
  else if (kind === 'text') {
    content = h('pre', { class: 'preview-text', tabindex: '0', 'aria-label': name }, t('loading'));
    void loadText(inlineUrl, content);
  } else content = h('p', {}, t('previewUnavailable'));
  const close = button(t('close'), 'close');
  const { closed } = modal({
    title: name,
    body: h('div', { class: 'preview-body' }, content),
    buttons: [downloadLink(downloadUrl), close],
    className: 'preview',
  });
  // Focus on Close, not in the frame: a PDF viewer with the focus keeps Escape to itself.
  close.focus();
  return closed;
}

async function loadText(url, pre) {
  try {
    const res = await fetch(url, { headers: { Range: `bytes=0-${TEXT_BYTES - 1}` }, credentials: 'same-origin' });
    if (!res.ok) throw Object.assign(new Error(res.statusText), { status: res.status });
    pre.textContent = await res.text();
    // A 206 may still be the whole file; only a total past what was asked for is cut short.
    const total = Number(/\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')?.[1] ?? 0);
    if (res.status === 206 && total > TEXT_BYTES) pre.after(h('p', { class: 'hint' }, t('truncated')));
  } catch (err) {
    pre.textContent = errorText(err);
  }
}
