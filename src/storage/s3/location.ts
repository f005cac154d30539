/**
 * Where an S3Storage keeps its files: a bucket, and a key prefix inside it
 * that acts as the storage's root ("s3://bucket/some/prefix"). Pure.
 */
export interface S3Location {
  readonly bucket: string;
  /** '' for the whole bucket, or a prefix ending with '/'. */
  readonly prefix: string;
}

const SCHEME = 's3://';

export function isS3Location(text: string): boolean {
  return text.toLowerCase().startsWith(SCHEME);
}

export function parseS3Location(text: string): S3Location {
  if (!isS3Location(text)) throw new Error(`${text}: an S3 location starts with ${SCHEME}`);
  const [bucket = '', ...rest] = text.slice(SCHEME.length).split('/');
  checkBucketName(bucket);
  const segments = rest.filter((s) => s !== '');
  // "." and ".." are ordinary key characters to S3, but as a root they would read as a path that climbs.
  if (segments.some((s) => s === '.' || s === '..')) throw new Error(`${text}: the prefix may not contain "." or ".." segments`);
  return { bucket, prefix: segments.length === 0 ? '' : segments.join('/') + '/' };
}

/** S3's bucket naming rules (the ones every S3-compatible store accepts): each rule, and what to say when it is broken. */
const BUCKET_RULES: ReadonlyArray<readonly [(name: string) => boolean, string]> = [
  [(n) => n.length >= 3 && n.length <= 63, 'must be 3 to 63 characters long'],
  [(n) => /^[a-z0-9.-]+$/.test(n), 'may contain only lower-case letters, digits, dots and hyphens'],
  [(n) => /^[a-z0-9](.*[a-z0-9])?$/.test(n), 'must begin and end with a letter or a digit'],
  [(n) => !n.includes('..'), 'may not contain two dots in a row'],
  [(n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n), 'may not look like an IP address'],
];

function checkBucketName(name: string): void {
  const broken = BUCKET_RULES.find(([holds]) => !holds(name));
  if (broken) throw new Error(`S3 bucket name "${name}" ${broken[1]}`);
}
