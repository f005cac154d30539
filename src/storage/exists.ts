import { isFtpError } from '../errors.js';
import type { Storage } from './Storage.js';

/** Whether a path names anything; "not found" is an answer here, every other failure is still thrown. */
export async function exists(storage: Storage, path: string): Promise<boolean> {
  try {
    await storage.stat(path);
    return true;
  } catch (err) {
    if (isFtpError(err, 'FTP_ERR_NOT_FOUND')) return false;
    throw err;
  }
}
