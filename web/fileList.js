/**
 * One directory, one page at a time: breadcrumbs, a sortable table, a pager.
 * The server sorts the whole directory and sends one page (offset/limit),
 * so a folder of 10,000 entries costs the page 100 rows. The same view
 * serves a signed-in user (api.js userSource) and a share (share.js).
 */
import { h, replace } from './dom.js';
import { crumbs, formatDate, formatSize, joinPath } from './format.js';
import { errorText, lang, t } from './i18n.js';

export const PAGE_SIZE = 100;

export class FileList {
  /**
   * `source`: { list(path, params), readOnly }; `handlers`: { navigate(path), open(entry, fullPath), actions(entry, fullPath), selectionChanged(paths), rootLabel }.
   */
  constructor(source, handlers) {
    this.source = source;
    this.handlers = handlers;
    this.path = '/';
    this.sort = 'name';
    this.order = 'asc';
    this.offset = 0;
    this.total = 0;
    this.entries = [];
    this.selected = new Set();
    this.error = null;
    this.loaded = false;
    this.crumbNav = h('nav', { class: 'crumbs', 'aria-label': t('breadcrumb') });
    this.table = h('table', { class: 'files' });
    this.pager = h('div', { class: 'pager' });
    this.element = h(
      'section',
      { class: 'listing', 'aria-label': t('files'), 'aria-busy': 'true' },
      this.crumbNav,
      h('div', { class: 'table-wrap' }, this.table),
      this.pager,
    );
  }

  /** Shows `path` from its first page; a new folder drops the selection. */
  async show(path) {
    if (path !== this.path) {
      this.offset = 0;
      this.selected.clear();
    }
    this.path = path;
    await this.reload();
  }

  async reload() {
    this.element.setAttribute('aria-busy', 'true');
    try {
      const page = await this.source.list(this.path, { sort: this.sort, order: this.order, offset: this.offset, limit: PAGE_SIZE });
      this.entries = page.entries;
      this.total = page.total;
      this.error = null;
      // A delete can leave the offset past the end: step back to the last page.
      if (this.entries.length === 0 && this.offset > 0 && this.total > 0) {
        this.offset = Math.max(0, Math.floor((this.total - 1) / PAGE_SIZE) * PAGE_SIZE);
        return this.reload();
      }
    } catch (err) {
      this.entries = [];
      this.total = 0;
      this.error = err;
      if (this.handlers.failed?.(err)) return;
    }
    const present = new Set(this.entries.map((e) => joinPath(this.path, e.name)));
    for (const p of this.selected) if (!present.has(p)) this.selected.delete(p);
    this.loaded = true;
    this.render();
    this.element.removeAttribute('aria-busy');
  }

  selection() {
    return [...this.selected];
  }

  clearSelection() {
    this.selected.clear();
    this.render();
  }

  render() {
    // A redraw replaces the rows: the focus, if it was in one, goes to the same entry's row (or the first).
    const active = document.activeElement;
    const hadFocus = this.table.contains(active);
    const focusedName = active?.closest?.('tr.entry')?.dataset.name;
    this.renderCrumbs();
    this.renderTable();
    if (hadFocus) {
      const rows = [...this.table.querySelectorAll('tr.entry')];
      (rows.find((r) => r.dataset.name === focusedName) ?? rows[0])?.focus();
    }
    this.renderPager();
    this.handlers.selectionChanged?.(this.selection());
  }

  renderCrumbs() {
    const list = h('ol');
    const all = crumbs(this.path);
    all.forEach(([label, target], i) => {
      const text = i === 0 ? (this.handlers.rootLabel ?? t('root')) : label;
      const last = i === all.length - 1;
      list.append(
        h(
          'li',
          {},
          last ? h('span', { 'aria-current': 'page' }, text) : h('a', { href: this.handlers.href(target), onclick: (e) => this.follow(e, target) }, text),
        ),
      );
    });
    replace(this.crumbNav, list);
    // The tab's title names the folder, as a screen reader announces it on each move.
    document.title = `${all.length > 1 ? all[all.length - 1][0] : (this.handlers.rootLabel ?? t('root'))} · sockftp`;
    this.crumbNav.setAttribute('aria-label', t('breadcrumb'));
  }

  follow(event, target) {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    this.handlers.navigate(target);
  }

  renderTable() {
    const allBox = h('input', {
      type: 'checkbox',
      'aria-label': t('selectAll'),
      checked: this.entries.length > 0 && this.entries.every((e) => this.selected.has(joinPath(this.path, e.name))),
      onchange: (e) => this.selectAll(e.currentTarget.checked),
    });
    const head = h(
      'tr',
      {},
      h('th', { class: 'col-select', scope: 'col' }, allBox),
      this.sortHeader('name', t('name'), 'col-name'),
      this.sortHeader('size', t('size'), 'col-size'),
      this.sortHeader('modified', t('modified'), 'col-modified'),
      h('th', { class: 'col-actions', scope: 'col' }, h('span', { class: 'sr-only' }, t('actions'))),
    );
    const body = h('tbody');
    for (const entry of this.entries) body.append(this.row(entry));
    if (this.loaded && this.entries.length === 0) {
      body.append(h('tr', { class: 'empty' }, h('td', { colspan: '5' }, this.error ? errorText(this.error) : t('empty'))));
    }
    replace(this.table, h('thead', {}, head), body);
  }

  sortHeader(key, label, className) {
    const active = this.sort === key;
    const arrow = active ? (this.order === 'asc' ? ' ▲' : ' ▼') : '';
    return h(
      'th',
      { class: className, scope: 'col', 'aria-sort': active ? (this.order === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', 'data-sort': key, onclick: () => this.sortBy(key) }, label, h('span', { 'aria-hidden': 'true' }, arrow)),
    );
  }

  async sortBy(key) {
    this.order = this.sort === key && this.order === 'asc' ? 'desc' : 'asc';
    this.sort = key;
    this.offset = 0;
    await this.reload();
    this.table.querySelector(`button[data-sort="${key}"]`)?.focus();
  }

  row(entry) {
    const full = joinPath(this.path, entry.name);
    const isDir = entry.type === 'dir';
    const checked = this.selected.has(full);
    const box = h('input', { type: 'checkbox', 'aria-label': t('select', entry.name), checked, onchange: (e) => this.toggle(full, e.currentTarget.checked) });
    const name = h('span', { class: 'name-text' }, entry.name);
    const tr = h(
      'tr',
      {
        class: `entry ${isDir ? 'is-dir' : 'is-file'}${checked ? ' selected' : ''}`,
        tabindex: '0',
        'data-name': entry.name,
        'aria-selected': checked ? 'true' : 'false',
      },
      h('td', { class: 'col-select' }, box),
      h(
        'td',
        { class: 'col-name' },
        h('span', { class: `icon ${isDir ? 'icon-dir' : 'icon-file'}`, 'aria-hidden': 'true' }),
        name,
        isDir ? h('span', { class: 'sr-only' }, ` (${t('folder')})`) : null,
      ),
      h('td', { class: 'col-size' }, isDir ? '' : formatSize(entry.size, lang())),
      h('td', { class: 'col-modified' }, entry.modified ? formatDate(entry.modified, lang()) : ''),
      h(
        'td',
        { class: 'col-actions' },
        h(
          'button',
          { type: 'button', class: 'icon-button more', 'aria-label': t('actionsFor', entry.name), onclick: () => this.handlers.actions(entry, full) },
          '⋯',
        ),
      ),
    );
    name.addEventListener('click', () => this.open(entry, full));
    tr.addEventListener('keydown', (event) => {
      if (event.target !== tr) return;
      if (event.key === 'Enter') {
        event.preventDefault();
        this.open(entry, full);
      } else if (event.key === ' ') {
        event.preventDefault();
        this.toggle(full, !this.selected.has(full));
        this.table.querySelector(`tr[data-name="${CSS.escape(entry.name)}"]`)?.focus();
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        (event.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
      } else if (event.key === 'Delete' && !this.source.readOnly) {
        this.handlers.deleteOne?.(entry, full);
      }
    });
    return tr;
  }

  open(entry, full) {
    if (entry.type === 'dir') this.handlers.navigate(full);
    else this.handlers.open(entry, full);
  }

  toggle(full, on) {
    if (on) this.selected.add(full);
    else this.selected.delete(full);
    this.render();
  }

  selectAll(on) {
    for (const e of this.entries) {
      const full = joinPath(this.path, e.name);
      if (on) this.selected.add(full);
      else this.selected.delete(full);
    }
    this.render();
  }

  renderPager() {
    if (this.total <= PAGE_SIZE) return replace(this.pager);
    const from = this.offset + 1;
    const to = this.offset + this.entries.length;
    replace(
      this.pager,
      h('button', { type: 'button', 'aria-label': t('previous'), disabled: this.offset === 0, onclick: () => this.page(-1) }, '‹'),
      h('span', { class: 'page-info', 'aria-live': 'polite' }, t('showing', from, to, this.total)),
      h('button', { type: 'button', 'aria-label': t('next'), disabled: to >= this.total, onclick: () => this.page(1) }, '›'),
    );
  }

  async page(step) {
    this.offset = Math.max(0, this.offset + step * PAGE_SIZE);
    await this.reload();
    this.pager.querySelector(step > 0 ? 'button:last-child' : 'button:first-child')?.focus();
  }
}
