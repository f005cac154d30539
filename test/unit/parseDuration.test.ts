/** Durations on the command line (--s3-upload-expiry): a unit or a bare number, bounded, one clear line when wrong. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from '../../src/cli/CliError.js';
import { parseDuration } from '../../src/cli/parse.js';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days, and a bare number in the given unit', () => {
    assert.equal(parseDuration('90s', '--x', 'h', 1, 1e12), 90_000);
    assert.equal(parseDuration('30m', '--x', 'h', 1, 1e12), 1_800_000);
    assert.equal(parseDuration('24h', '--x', 'h', 1, 1e12), 86_400_000);
    assert.equal(parseDuration('7d', '--x', 'h', 1, 1e12), 604_800_000);
    assert.equal(parseDuration(' 2 ', '--x', 'h', 1, 1e12), 7_200_000);
  });

  it('refuses other forms and values out of bounds, naming the flag', () => {
    for (const bad of ['', 'h', '1.5h', '-1h', '10w', '1 h']) {
      assert.throws(
        () => parseDuration(bad, '--s3-upload-expiry', 'h', 1_000, 1e12),
        (err: unknown) => err instanceof CliError && /^--s3-upload-expiry must be a duration/.test(err.message),
        bad,
      );
    }
    assert.throws(() => parseDuration('0s', '--x', 'h', 1_000, 1e12), /--x must be between 1 s and/);
    assert.throws(() => parseDuration('400d', '--x', 'h', 1_000, 365 * 86_400_000), /--x must be between/);
  });
});
