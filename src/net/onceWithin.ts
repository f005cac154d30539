/**
 * Waiting for one event of a socket within a time limit, until an abort:
 * events.once with AbortSignal.timeout and AbortSignal.any, which remove their
 * own listeners whichever way the wait ends. What went wrong is told to
 * `failure`, which gives the caller's own error. The timeout's timer keeps
 * no process alive: the emitter's own handle (a socket) does.
 */
import type { EventEmitter } from 'node:events';
import { once } from 'node:events';

export type WaitFailure = { readonly kind: 'timeout' } | { readonly kind: 'aborted' } | { readonly kind: 'error'; readonly error: Error };

export async function onceWithin(
  emitter: EventEmitter,
  event: string,
  limits: { readonly timeoutMs: number; readonly signal?: AbortSignal },
  failure: (why: WaitFailure) => Error,
): Promise<unknown[]> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([limits.signal, timeout]) : timeout;
  try {
    return (await once(emitter, event, { signal })) as unknown[];
  } catch (err) {
    // once() rejects with the emitter's 'error', or with an AbortError when the signal fired.
    if (!signal.aborted) throw failure({ kind: 'error', error: err as Error });
    throw failure(timeout.aborted ? { kind: 'timeout' } : { kind: 'aborted' });
  }
}
