import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MLST_FACTS,
  formatFtpTime,
  formatListDate,
  formatListLine,
  formatMlstFeature,
  formatMlsxLine,
  isListableName,
  parseFtpTime,
} from '../../src/ftp/protocol/listing.js';
import type { FileInfo } from '../../src/core/FileInfo.js';

const now = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
const file: FileInfo = { name: 'report 1.pdf', type: 'file', size: 5242880, mtime: new Date(Date.UTC(2026, 10, 20, 9, 5, 7)), mode: 0o644, id: '801g1a' };
const dir: FileInfo = { name: 'docs', type: 'dir', size: 0, mtime: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)), mode: 0o755, id: '801g2' };

describe('LIST lines', () => {
  it('look like ls -l with hidden owner and group', () => {
    assert.equal(formatListLine(file, now), '-rw-r--r--    1 ftp      ftp           5242880 Nov 20 09:05 report 1.pdf');
  });

  it('show the year instead of the time for old entries', () => {
    assert.equal(formatListLine(dir, now), 'drwxr-xr-x    1 ftp      ftp              4096 Jan  2  2020 docs');
  });

  it('show the time for entries up to six months old', () => {
    assert.equal(formatListDate(new Date(Date.UTC(2026, 5, 1, 1, 2)), now), 'Jun  1 01:02');
  });
});

describe('MLSx lines', () => {
  it('carry every enabled fact and the name after a space', () => {
    assert.equal(
      formatMlsxLine(file, new Set(MLST_FACTS), 'adfrw'),
      'type=file;size=5242880;modify=20261120090507;perm=adfrw;unique=801g1a;unix.mode=0644; report 1.pdf',
    );
  });

  it('omit size for directories and mark the listed directory as cdir', () => {
    assert.equal(formatMlsxLine({ ...dir, name: '.' }, new Set(['type', 'size'] as const), 'el', 'cdir'), 'type=cdir; .');
  });

  it('leave out facts switched off by OPTS MLST', () => {
    assert.equal(formatMlsxLine(file, new Set(['size'] as const), ''), 'size=5242880; report 1.pdf');
  });

  it('advertise the enabled facts with a star in FEAT', () => {
    assert.equal(formatMlstFeature(new Set(['type', 'size'] as const)), 'MLST type*;size*;modify;perm;unique;unix.mode;');
  });
});

describe('time stamps', () => {
  it('format as YYYYMMDDHHMMSS in UTC and parse back', () => {
    assert.equal(formatFtpTime(file.mtime), '20261120090507');
    assert.deepEqual(parseFtpTime('20261120090507'), file.mtime);
    assert.deepEqual(parseFtpTime('20261120090507.250'), new Date(file.mtime.getTime() + 250));
  });

  it('reject impossible dates', () => {
    assert.equal(parseFtpTime('20260231120000'), null);
    assert.equal(parseFtpTime('2026'), null);
  });
});

describe('names in listings', () => {
  it('leave out names with CR or LF, which would forge listing lines', () => {
    assert.ok(isListableName('plain name.txt'));
    assert.ok(!isListableName('evil\r\n-rw-r--r-- 1 x x 1 Jan 1 2020 fake'));
    assert.ok(!isListableName('a\nb'));
  });
});
