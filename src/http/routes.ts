/** Every route of the web door, one row each (router.ts); the handlers are in routes/. */
import type { Route } from './router.js';
import { mkdir, remove, rename } from './routes/changes.js';
import { file } from './routes/file.js';
import { list } from './routes/list.js';
import { login } from './routes/login.js';
import { currentSession, logout } from './routes/session.js';
import { shareFile, shareInfo, shareList, shareZip, unlockShare } from './routes/publicShare.js';
import { sha256 } from './routes/sha256.js';
import { createShare, listShares, revokeShare } from './routes/shares.js';
import { asset, indexPage } from './routes/static.js';
import { appendUpload, createUpload, terminateUpload, uploadOffset, uploadOptions } from './routes/uploads.js';
import { zip } from './routes/zip.js';

export const routes: readonly Route[] = [
  { method: 'GET', path: '/', access: 'public', handle: indexPage },
  { method: 'GET', path: '/s/:id', access: 'public', handle: indexPage },
  { method: 'GET', path: '/assets/*', access: 'public', handle: asset },
  { method: 'POST', path: '/api/login', access: 'public', handle: login },
  { method: 'POST', path: '/api/logout', access: 'user', handle: logout },
  { method: 'GET', path: '/api/session', access: 'user', handle: currentSession },
  { method: 'GET', path: '/api/list', access: 'user', handle: list },
  { method: 'GET', path: '/api/file', access: 'user', handle: file },
  { method: 'GET', path: '/api/zip', access: 'user', handle: zip },
  { method: 'GET', path: '/api/sha256', access: 'user', handle: sha256 },
  { method: 'POST', path: '/api/mkdir', access: 'user', handle: mkdir },
  { method: 'POST', path: '/api/rename', access: 'user', handle: rename },
  { method: 'POST', path: '/api/delete', access: 'user', handle: remove },
  { method: 'POST', path: '/api/shares', access: 'user', handle: createShare },
  { method: 'GET', path: '/api/shares', access: 'user', handle: listShares },
  { method: 'DELETE', path: '/api/shares/:id', access: 'user', handle: revokeShare },
  { method: 'GET', path: '/api/s/:id', access: 'public', handle: shareInfo },
  { method: 'POST', path: '/api/s/:id/unlock', access: 'public', handle: unlockShare },
  { method: 'GET', path: '/api/s/:id/list', access: 'public', handle: shareList },
  { method: 'GET', path: '/api/s/:id/file', access: 'public', handle: shareFile },
  { method: 'GET', path: '/api/s/:id/zip', access: 'public', handle: shareZip },
  { method: 'OPTIONS', path: '/api/uploads', access: 'user', handle: uploadOptions },
  { method: 'POST', path: '/api/uploads', access: 'user', handle: createUpload },
  { method: 'HEAD', path: '/api/uploads/:id', access: 'user', handle: uploadOffset },
  { method: 'PATCH', path: '/api/uploads/:id', access: 'user', handle: appendUpload },
  { method: 'DELETE', path: '/api/uploads/:id', access: 'user', handle: terminateUpload },
];
