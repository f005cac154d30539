/**
 * Virtual paths as object keys. A file "/a/b" is the key "PREFIX" + "a/b";
 * a directory "/a" is every key that starts with "PREFIX" + "a/", and may
 * have an empty marker object of exactly that name. Pure.
 */
export class KeySpace {
  /** `prefix` is the storage's root: '' (the whole bucket) or ending with '/'. */
  constructor(readonly prefix: string) {}

  /** The key of the file at `path` (never "/"). */
  file(path: string): string {
    return this.prefix + path.slice(1);
  }

  /** The prefix of the directory at `path`: what all its keys start with, and its marker's key. */
  dir(path: string): string {
    return path === '/' ? this.prefix : this.file(path) + '/';
  }

  /** The virtual path of a key inside this space. */
  pathOf(key: string): string {
    return '/' + key.slice(this.prefix.length).replace(/\/$/, '');
  }
}

/** CopySource is "bucket/key" with the key URL-encoded, but its slashes kept. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** S3 sends an ETag in quotes; it is compared and stored without them (a tag value may not hold a quote). */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
