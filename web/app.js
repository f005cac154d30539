/**
 * The page's entry: the header (who, language, sign out), then one of three
 * views: sign-in, the file manager of a signed-in user, or the public page
 * of a share link (/s/<id>). The language switch re-draws the current view.
 */
import { api, setCsrf } from './api.js';
import { replace } from './dom.js';
import { LANGUAGES, lang, setLang, t } from './i18n.js';
import { loginView } from './login.js';
import { FileManager } from './manager.js';
import { shareView } from './share.js';

const app = document.getElementById('app');
const who = document.getElementById('who');
const signOutButton = document.getElementById('signout');
const langSelect = document.getElementById('lang');
const statusRegion = document.getElementById('status');
const toast = document.getElementById('toast');

/** What the view in place does when the language changes. */
let redraw = () => undefined;
let toastTimer = 0;

/**
 * Shows `text` as a toast and says it once to screen readers: politely through the status region, or, for an
 * error, at once through the toast itself (role=alert), so that nothing is read twice.
 */
export function announce(text, isError = false) {
  statusRegion.textContent = isError ? '' : text;
  if (isError) toast.setAttribute('role', 'alert');
  else toast.removeAttribute('role');
  toast.setAttribute('aria-hidden', isError ? 'false' : 'true');
  toast.textContent = text;
  toast.classList.toggle('error', isError);
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), isError ? 8000 : 4000);
}

function drawHeader(user) {
  document.documentElement.lang = lang();
  document.getElementById('lang-label').textContent = t('language');
  replace(
    langSelect,
    ...LANGUAGES.map(([code, name]) => {
      const option = document.createElement('option');
      option.value = code;
      option.textContent = name;
      option.selected = code === lang();
      return option;
    }),
  );
  who.textContent = user ? t('signedInAs', user) : '';
  signOutButton.textContent = t('signOut');
  signOutButton.hidden = !user;
}

langSelect.addEventListener('change', () => {
  setLang(langSelect.value);
  redraw();
});

function showLogin(notice) {
  drawHeader(null);
  setCsrf('');
  const view = loginView({ onSignedIn: showFiles, notice });
  replace(app, view.element);
  view.focus();
  redraw = () => showLogin(notice);
}

function showFiles(session) {
  setCsrf(session.csrf);
  drawHeader(session.user);
  const manager = new FileManager({
    user: session.user,
    anonymous: session.anonymous,
    permissions: session.permissions,
    announce,
    onSessionEnded: () => showLogin(t('sessionEnded')),
  });
  replace(app, manager.element);
  manager.start();
  redraw = () => {
    drawHeader(session.user);
    manager.redraw();
  };
  signOutButton.onclick = async () => {
    try {
      await api('POST', '/api/logout');
    } catch {
      // Signed out on the server already, or unreachable: the page forgets the session either way.
    }
    manager.stop();
    showLogin();
  };
}

async function boot() {
  const share = /^\/s\/([^/]+)\/?$/.exec(location.pathname);
  if (share) {
    drawHeader(null);
    const draw = () => {
      drawHeader(null);
      return shareView(decodeURIComponent(share[1]), { announce }).then((el) => replace(app, el));
    };
    redraw = draw;
    return draw();
  }
  try {
    showFiles(await api('GET', '/api/session'));
  } catch {
    showLogin();
  }
}

void boot();
