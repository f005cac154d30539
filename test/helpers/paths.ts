/** Where things are, from the compiled test files in dist/test/. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');
export const CLIENT_SCRIPTS = path.join(REPO_ROOT, 'test/clients');
