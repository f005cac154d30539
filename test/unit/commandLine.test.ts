import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWellFormedVerb, parseCommand, splitListArgs } from '../../src/ftp/protocol/commandLine.js';

describe('parseCommand', () => {
  it('upper-cases the verb and keeps the argument as sent', () => {
    assert.deepEqual(parseCommand('retr My File.txt'), { verb: 'RETR', arg: 'My File.txt' });
  });

  it('keeps leading and trailing spaces of a file name', () => {
    assert.deepEqual(parseCommand('STOR  spaced '), { verb: 'STOR', arg: ' spaced ' });
  });

  it('gives an empty argument when there is none', () => {
    assert.deepEqual(parseCommand('pwd'), { verb: 'PWD', arg: '' });
  });

  it('tells well-formed verbs from noise', () => {
    assert.ok(isWellFormedVerb('XPWD'));
    assert.ok(!isWellFormedVerb('GET'.padEnd(6, 'X')));
    assert.ok(!isWellFormedVerb('12'));
  });
});

describe('splitListArgs', () => {
  it('separates ls-style options from the path', () => {
    assert.deepEqual(splitListArgs('-la /pub'), { options: 'la', path: '/pub' });
    assert.deepEqual(splitListArgs('-a -l'), { options: 'al', path: '' });
    assert.deepEqual(splitListArgs('docs'), { options: '', path: 'docs' });
  });

  it('does not take a file name that starts with a dash and has more after it for options', () => {
    assert.deepEqual(splitListArgs('-rf.txt'), { options: '', path: '-rf.txt' });
    assert.deepEqual(splitListArgs('./-1'), { options: '', path: './-1' });
    assert.deepEqual(splitListArgs('-1 -rf.txt'), { options: '1', path: '-rf.txt' });
  });

  it('takes digits as options too: ncftpls sends "NLST -1"', () => {
    assert.deepEqual(splitListArgs('-1'), { options: '1', path: '' });
    assert.deepEqual(splitListArgs('-1 sub'), { options: '1', path: 'sub' });
  });
});

describe('parseCommand and Telnet leftovers', () => {
  it('drops bytes before the verb that a lost urgent IAC left behind', () => {
    assert.deepEqual(parseCommand('\ufffdABOR'), { verb: 'ABOR', arg: '' });
    assert.deepEqual(parseCommand('\x00 NOOP'), { verb: 'NOOP', arg: '' });
  });
});
