// The linter everyone runs (`npm run lint`, and .ci/run). Type-aware rules: the ones that
// matter most here are the promise rules, because a floating promise in a server is an
// unhandled rejection waiting for a hostile client to find it.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The boundaries of ARCHITECTURE.md, as import rules per folder: the core
 * (app, core, auth, net, storage) imports no door; no door (ftp, http, admin)
 * imports another, nor a storage backend (they open storage through the
 * core's StorageProvider); the CLI names no backend (storage/backends.ts is
 * the table that does); the client takes only FTP's pure protocol code.
 * A rule forbids a folder by the import's path (relative, as this project
 * writes every import of its own code), whatever the depth of the importer.
 */
const folder = (name, except = '') => ({ regex: `^(\\.\\./)+${name}/${except}`, message: `${name}/ is off limits here (ARCHITECTURE.md, "Boundaries")` });
const DOORS = ['ftp', 'http', 'admin'];
const OUTSIDE_CORE = [...DOORS, 'cli', 'client'];
export const boundaries = [
  { files: ['src/{app,core,auth,net,native}/**/*.ts'], patterns: [...OUTSIDE_CORE, 'storage'].map((f) => folder(f)) },
  { files: ['src/storage/**/*.ts'], patterns: [...OUTSIDE_CORE, 'app'].map((f) => folder(f)) },
  ...DOORS.map((door) => ({
    files: [`src/${door}/**/*.ts`],
    patterns: [...DOORS.filter((d) => d !== door), 'cli', 'client', 'storage'].map((f) => folder(f)),
  })),
  { files: ['src/cli/**/*.ts'], patterns: [folder('storage', '(?!backends\\.js$)')] },
  { files: ['src/client/**/*.ts'], patterns: [...['http', 'admin', 'app', 'storage', 'cli'].map((f) => folder(f)), folder('ftp', '(?!protocol/)')] },
].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/.peers/', 'native/build/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'native/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // Off on purpose: the storage backends implement a Promise interface with synchronous
      // system calls inside `async` methods (metadata calls are inline, see LocalStorage), and
      // `async` is what turns their throws into rejections. Dropping it would make them throw.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  ...boundaries,
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The browser file manager (plain ES modules served as they are): the browser's globals it uses, no Node's.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'navigator',
          'localStorage',
          'fetch',
          'setTimeout',
          'clearTimeout',
          'URL',
          'URLSearchParams',
          'CSS',
          'queueMicrotask',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
