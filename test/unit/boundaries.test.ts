/**
 * The import rules of eslint.config.mjs (ARCHITECTURE.md, "Boundaries"), run
 * as `npm run lint` runs them, on imports that cross a boundary and on the
 * ones that are allowed: a rule that forbids nothing, or everything, fails
 * here.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { REPO_ROOT as repoRoot } from '../helpers/paths.js';

const { boundaries } = (await import(pathToFileURL(path.join(repoRoot, 'eslint.config.mjs')).href)) as { boundaries: Linter.Config[] };
const linter = new Linter({ cwd: repoRoot, configType: 'flat' });
const config: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries];

/** The messages the boundary rules give `file` for one import of `from`. */
function lint(file: string, from: string): string[] {
  const code = `import { x } from '${from}';\nexport const y = x;\n`;
  return linter.verify(code, config, { filename: path.join(repoRoot, file) }).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the import boundaries', () => {
  const refused: Array<[string, string]> = [
    ['src/app/App.ts', '../ftp/Session.js'],
    ['src/app/App.ts', '../storage/local/LocalStorage.js'],
    ['src/core/FileOperations.ts', '../http/context.js'],
    ['src/auth/LoginGuard.ts', '../admin/metrics.js'],
    ['src/storage/local/LocalStorage.ts', '../../ftp/Session.js'],
    ['src/storage/s3/S3Storage.ts', '../../http/HttpServer.js'],
    ['src/storage/local/LocalStorage.ts', '../../app/App.js'],
    ['src/ftp/Session.ts', '../http/context.js'],
    ['src/ftp/commands/files.ts', '../../admin/metrics.js'],
    ['src/ftp/FtpServer.ts', '../storage/local/LocalStorage.js'],
    ['src/http/HttpServer.ts', '../ftp/FtpServer.js'],
    ['src/http/routes/file.ts', '../../ftp/protocol/replies.js'],
    ['src/admin/metrics.ts', '../ftp/commandTable.js'],
    ['src/cli/serve.ts', '../storage/s3/location.js'],
    ['src/cli/serve.ts', '../storage/local/LocalStorage.js'],
    ['src/client/FtpClient.ts', '../ftp/Session.js'],
    ['src/client/FtpClient.ts', '../app/App.js'],
  ];
  for (const [file, from] of refused)
    it(`refuses ${from} in ${file}`, () => {
      const messages = lint(file, from);
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(messages[0], /^no-restricted-imports: .*off limits here/);
    });

  const allowed: Array<[string, string]> = [
    ['src/ftp/Session.ts', '../app/App.js'],
    ['src/ftp/Session.ts', '../core/FileOperations.js'],
    ['src/ftp/Session.ts', './protocol/replies.js'],
    ['src/http/HttpServer.ts', '../net/hosts.js'],
    ['src/http/routes/file.ts', '../../core/virtualPath.js'],
    ['src/admin/metrics.ts', '../app/events.js'],
    ['src/storage/local/LocalStorage.ts', '../../core/errors.js'],
    ['src/cli/serve.ts', '../storage/backends.js'],
    ['src/cli/serve.ts', '../ftp/FtpServer.js'],
    ['src/cli/serve.ts', '../http/HttpServer.js'],
    ['src/client/dataConnections.ts', '../ftp/protocol/dataAddress.js'],
    ['src/client/FtpClient.ts', '../net/hosts.js'],
  ];
  for (const [file, from] of allowed) it(`allows ${from} in ${file}`, () => assert.deepEqual(lint(file, from), []));
});
