/** The tests' one polling helper (test/helpers/eventually.ts): it waits, it is bounded, and its failure says for what. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';

describe('eventually', () => {
  it('resolves once a sync condition holds, checking it again and again meanwhile', async () => {
    let checks = 0;
    await eventually(() => ++checks === 3, { what: 'the third check' });
    assert.equal(checks, 3);
  });

  it('resolves once an async condition holds', async () => {
    let checks = 0;
    await eventually(async () => ++checks === 3, { what: 'the third check' });
    assert.equal(checks, 3);
  });

  it('fails at the deadline naming what it waited for, with the detail given', async () => {
    await assert.rejects(
      eventually(() => false, { what: 'a thing that never happens', timeoutMs: 50, detail: () => 'what was there' }),
      {
        message: 'timed out after 50 ms waiting for a thing that never happens:\nwhat was there',
      },
    );
  });

  it('fails when a check never answers, instead of waiting for it', async () => {
    await assert.rejects(
      eventually(() => new Promise<boolean>(() => undefined), { what: 'an answer', timeoutMs: 50 }),
      {
        message: 'timed out after 50 ms waiting for an answer (its last check had not answered)',
      },
    );
  });

  it('fails at once with the error a check throws', async () => {
    let checks = 0;
    const died = eventually(
      () => {
        if (++checks === 2) throw new Error('the process exited');
        return false;
      },
      { what: 'the process to listen', timeoutMs: 60_000 },
    );
    await assert.rejects(died, { message: 'the process exited' });
    assert.equal(checks, 2);
  });
});
