import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFileError } from '../../src/core/errors.js';
import { MAX_PATH_LENGTH, baseName, parentOf, resolveVirtualPath } from '../../src/core/virtualPath.js';

describe('resolveVirtualPath', () => {
  it('joins relative paths to the working directory', () => {
    assert.equal(resolveVirtualPath('/pub', 'a/b.txt'), '/pub/a/b.txt');
  });

  it('takes absolute paths as they are', () => {
    assert.equal(resolveVirtualPath('/pub', '/etc/x'), '/etc/x');
  });

  it('never climbs above the root with ..', () => {
    assert.equal(resolveVirtualPath('/', '..'), '/');
    assert.equal(resolveVirtualPath('/a', '../../../etc/passwd'), '/etc/passwd');
    assert.equal(resolveVirtualPath('/', '/../../etc/passwd'), '/etc/passwd');
    assert.equal(resolveVirtualPath('/a/b', 'c/../../d'), '/a/d');
  });

  it('collapses doubled slashes, dots and trailing slashes', () => {
    assert.equal(resolveVirtualPath('/', '//a///b/./c/'), '/a/b/c');
    assert.equal(resolveVirtualPath('/x', '.'), '/x');
  });

  it('treats backslashes as separators so they cannot smuggle ..', () => {
    assert.equal(resolveVirtualPath('/', '..\\..\\etc\\passwd'), '/etc/passwd');
    assert.equal(resolveVirtualPath('/a', 'b\\..\\..\\..\\c'), '/c');
  });

  it('refuses NUL bytes', () => {
    assert.throws(
      () => resolveVirtualPath('/', 'a\0b'),
      (err) => isFileError(err, 'BAD_ARGUMENT'),
    );
  });

  it('refuses overlong paths', () => {
    assert.throws(
      () => resolveVirtualPath('/', 'a'.repeat(MAX_PATH_LENGTH + 1)),
      (err) => isFileError(err, 'BAD_ARGUMENT'),
    );
  });

  it('keeps spaces and non-ASCII characters in names', () => {
    assert.equal(resolveVirtualPath('/', ' my file ü.txt'), '/ my file ü.txt');
  });
});

describe('parentOf and baseName', () => {
  it('split a resolved path', () => {
    assert.equal(parentOf('/a/b/c'), '/a/b');
    assert.equal(parentOf('/a'), '/');
    assert.equal(parentOf('/'), '/');
    assert.equal(baseName('/a/b'), 'b');
    assert.equal(baseName('/'), '');
  });
});
