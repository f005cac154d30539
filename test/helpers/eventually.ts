/**
 * The one way a test waits for something that happens in its own time (a file
 * growing, a log line, a gauge going back to 0): poll a condition until it
 * holds, within a deadline, and fail naming what was awaited. Never a fixed
 * sleep: a sleep is too short on a loaded machine and too long everywhere else.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** What is awaited, as the failure says it: "timed out after 10000 ms waiting for <what>". */
  readonly what: string;
  /** How long to keep trying; 10 s unless told. */
  readonly timeoutMs?: number;
  /** What there is to see at the deadline (a log, a screen), added to the failure. */
  readonly detail?: () => string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Between checks: short enough to catch a transfer early in its course. After
 * a check that takes time (a request, a process to run), four times as long
 * as it took, so that polling takes at most a fifth of the time.
 */
const POLL_MS = 5;
const PAUSE_PER_CHECK_MS = 4;
/** What an async check started near the deadline still gets to answer. */
const LAST_CHECK_MS = 1_000;
const PENDING: unique symbol = Symbol('pending');

/**
 * Resolves once `condition` (sync or async) returns true: checked at once, then
 * every few milliseconds, and a last time at the deadline. Rejects after that
 * last check, or when a check has not answered by the deadline (a second after
 * it, for one started near it), and at once when a check throws (a process
 * that died will not come up).
 */
export async function eventually(condition: () => boolean | Promise<boolean>, options: EventuallyOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = Date.now();
    const held = await answerBy(condition(), deadline);
    if (held === true) return;
    if (held === PENDING || Date.now() >= deadline) {
      const pending = held === PENDING ? ' (its last check had not answered)' : '';
      const detail = options.detail ? `:\n${options.detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}${pending}${detail}`);
    }
    const pause = Math.max(POLL_MS, PAUSE_PER_CHECK_MS * (Date.now() - started));
    await delay(Math.min(pause, Math.max(0, deadline - Date.now())));
  }
}

/** A check's answer, or PENDING if it has none in time (a late rejection is then ignored). */
async function answerBy(answer: boolean | Promise<boolean>, deadline: number): Promise<boolean | typeof PENDING> {
  if (typeof answer === 'boolean') return answer;
  answer.catch(() => undefined);
  const cancel = new AbortController();
  const late = delay(Math.max(LAST_CHECK_MS, deadline - Date.now()), PENDING, { signal: cancel.signal }).catch((): typeof PENDING => PENDING);
  try {
    return await Promise.race([answer, late]);
  } finally {
    cancel.abort();
  }
}
