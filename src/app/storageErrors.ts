/**
 * Which failures came from the storage, so the metrics can count a backend's
 * errors by kind. A storage's operations are watched where the session gets
 * it (every rejection is remembered), and a transfer marks what failed while
 * its data moved (a read stream, an upload's write or commit). Only failures
 * that reach a reply are counted: a "not found" that merely answers a probe
 * (STOU looking for a free name) is not an error of the backend. Every door
 * watches its sessions' storage this way (FTP per session, the web per sign-in).
 */
import { isFileError, type FileError } from '../core/errors.js';
import type { Storage } from '../core/Storage.js';

const fromStorage = new WeakSet<object>();

/** Remembers `err` as the storage's own failure. */
export function markStorageError(err: unknown): void {
  if (isFileError(err)) fromStorage.add(err);
}

/** The storage's failure, or null for anything else (a refused permission, a bad argument, the data connection). */
export function storageFailure(err: unknown): FileError | null {
  return isFileError(err) && fromStorage.has(err) ? err : null;
}

/** `storage` as it is, except that whatever its operations reject with (or its listings throw) is remembered. */
export function watchStorageErrors(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise)
          return result.catch((err: unknown) => {
            throw remembered(err);
          });
        if (isAsyncIterable(result)) return watchedPages(result);
        return result;
      };
    },
  });
}

function remembered(err: unknown): unknown {
  markStorageError(err);
  return err;
}

async function* watchedPages<T>(pages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* pages;
  } catch (err) {
    throw remembered(err);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
