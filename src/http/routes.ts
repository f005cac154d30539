/** Every route of the web door, one row each (router.ts); the handlers are in routes/. */
import type { Route } from './router.js';
import { file } from './routes/file.js';
import { list } from './routes/list.js';
import { login } from './routes/login.js';
import { currentSession, logout } from './routes/session.js';
import { asset, indexPage } from './routes/static.js';

export const routes: readonly Route[] = [
  { method: 'GET', path: '/', access: 'public', handle: indexPage },
  { method: 'GET', path: '/s/:id', access: 'public', handle: indexPage },
  { method: 'GET', path: '/assets/*', access: 'public', handle: asset },
  { method: 'POST', path: '/api/login', access: 'public', handle: login },
  { method: 'POST', path: '/api/logout', access: 'user', handle: logout },
  { method: 'GET', path: '/api/session', access: 'user', handle: currentSession },
  { method: 'GET', path: '/api/list', access: 'user', handle: list },
  { method: 'GET', path: '/api/file', access: 'user', handle: file },
];
