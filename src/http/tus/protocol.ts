/** The tus 1.0.0 core protocol's headers and Upload-Metadata (https://tus.io/protocols/resumable-upload), pure. */
import { HttpError, badRequest } from '../HttpError.js';

export const TUS_VERSION = '1.0.0';
/** creation: POST makes an upload; termination: DELETE cancels one. */
export const TUS_EXTENSIONS = 'creation,termination';
export const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';

/** "key base64,key2 base64,flag": keys to decoded values (a key without a value is ""). */
export function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return out;
  for (const pair of header.split(',')) {
    const [key, value, extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key) || (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)))
      throw badRequest('Upload-Metadata must be "key base64" pairs separated by commas');
    out[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

/** A header that must be a non-negative whole number (Upload-Length, Upload-Offset). */
export function byteCount(value: string | string[] | undefined, name: string): number {
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) throw badRequest(`${name} must be a whole number of bytes`);
  return Number(value);
}

/** Every tus request but OPTIONS names the version it speaks; 412 with ours otherwise. */
export function checkVersion(value: string | string[] | undefined): void {
  if (value !== TUS_VERSION) throw new HttpError('precondition_failed', `Tus-Resumable must be ${TUS_VERSION}`, { 'Tus-Version': TUS_VERSION });
}
