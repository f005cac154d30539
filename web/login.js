/** The sign-in form: a user and password, or anonymous where the server allows it. A refusal shows in the form and is announced. */
import { api, setCsrf } from './api.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';

export function loginView({ onSignedIn, notice }) {
  const user = h('input', {
    id: 'login-user',
    name: 'user',
    type: 'text',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const message = h('p', { id: 'login-error', class: 'form-error', role: 'alert' }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
  const anonymous = h('button', { type: 'button', class: 'ghost', onclick: () => signIn('anonymous', 'anonymous@') }, t('signInAnonymous'));

  async function signIn(name, pass) {
    message.textContent = '';
    submit.disabled = anonymous.disabled = true;
    try {
      const session = await api('POST', '/api/login', { user: name, password: pass });
      setCsrf(session.csrf);
      onSignedIn(session);
    } catch (err) {
      message.textContent = errorText(err);
      user.setAttribute('aria-invalid', 'true');
      password.setAttribute('aria-invalid', 'true');
      password.select();
      password.focus();
    } finally {
      submit.disabled = anonymous.disabled = false;
    }
  }

  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'login-title', 'aria-describedby': 'login-error' },
    h('h1', { id: 'login-title' }, t('signInTitle')),
    h('label', { class: 'field', for: 'login-user' }, h('span', {}, t('user')), user),
    h('label', { class: 'field', for: 'login-password' }, h('span', {}, t('password')), password),
    message,
    h('div', { class: 'form-buttons' }, submit, anonymous),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(user.value.trim(), password.value);
  });
  return { element: h('div', { class: 'login-wrap' }, form), focus: () => user.focus() };
}
