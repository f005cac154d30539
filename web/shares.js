/** Share links of a signed-in user: create one (expiry, optional password), list them, copy, revoke. */
import { api } from './api.js';
import { h, replace } from './dom.js';
import { button, copyText, modal } from './dialogs.js';
import { formatDate } from './format.js';
import { errorText, lang, t } from './i18n.js';

const EXPIRIES = [
  ['hour', 3600],
  ['day', 86400],
  ['week', 7 * 86400],
  ['month', 30 * 86400],
];

function absolute(url) {
  return new URL(url, location.origin).href;
}

function copyField(url, announce) {
  const field = h('input', { type: 'text', readonly: true, value: absolute(url), class: 'share-url', 'aria-label': t('link') });
  const copy = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        if (await copyText(field.value, field)) announce(t('copied'));
      },
    },
    t('copy'),
  );
  return h('div', { class: 'copy-row' }, field, copy);
}

export function createShareDialog(path, announce) {
  const expiry = h(
    'select',
    { name: 'expires' },
    ...EXPIRIES.map(([key, seconds]) => h('option', { value: String(seconds), selected: key === 'week' }, t(key))),
  );
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password' });
  const result = h('div', { class: 'share-result', 'aria-live': 'polite' });
  const createButton = button(t('createLink'), 'ok', 'primary');
  const { closed } = modal({
    title: t('shareOf', path),
    body: h(
      'div',
      {},
      h('label', { class: 'field' }, h('span', {}, t('expiresIn')), expiry),
      h('label', { class: 'field' }, h('span', {}, t('optionalPassword')), password),
      result,
    ),
    buttons: [button(t('close'), 'cancel'), createButton],
    onSubmit: async () => {
      try {
        const body = { path, expiresInSeconds: Number(expiry.value) };
        if (password.value) body.password = password.value;
        const share = await api('POST', '/api/shares', body);
        replace(result, copyField(share.url, announce), h('p', { class: 'hint' }, `${t('expires')}: ${formatDate(share.expires, lang())}`));
        result.querySelector('input').select();
        createButton.hidden = true;
      } catch (err) {
        replace(result, h('p', { class: 'form-error', role: 'alert' }, errorText(err)));
      }
      return false;
    },
  });
  return closed;
}

export function sharesDialog(announce) {
  const body = h('div', { class: 'shares-body' }, h('p', {}, t('loading')));
  const refresh = async () => {
    try {
      const { shares } = await api('GET', '/api/shares');
      if (shares.length === 0) return replace(body, h('p', {}, t('noShares')));
      const rows = shares.map((s) =>
        h(
          'tr',
          { 'data-id': s.id },
          h('td', { class: 'share-path' }, s.path),
          h('td', {}, formatDate(s.expires, lang())),
          h('td', {}, s.hasPassword ? t('yes') : t('no')),
          h(
            'td',
            { class: 'share-actions' },
            h(
              'button',
              {
                type: 'button',
                'aria-label': `${t('copy')}: ${s.path}`,
                onclick: async (e) => {
                  if (await copyText(absolute(s.url))) announce(t('copied'));
                  e.currentTarget.focus();
                },
              },
              t('copy'),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': `${t('revoke')}: ${s.path}`,
                onclick: async () => {
                  try {
                    await api('DELETE', `/api/shares/${encodeURIComponent(s.id)}`);
                    announce(t('revoked'));
                  } catch (err) {
                    announce(errorText(err), true);
                  }
                  await refresh();
                },
              },
              t('revoke'),
            ),
          ),
        ),
      );
      replace(
        body,
        h(
          'table',
          { class: 'shares' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('name')),
              h('th', { scope: 'col' }, t('expires')),
              h('th', { scope: 'col' }, t('protectedByPassword')),
              h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('actions'))),
            ),
          ),
          h('tbody', {}, rows),
        ),
      );
    } catch (err) {
      replace(body, h('p', { class: 'form-error', role: 'alert' }, errorText(err)));
    }
  };
  void refresh();
  return modal({ title: t('shares'), body, buttons: [button(t('close'), 'close')], className: 'wide' }).closed;
}
