/**
 * The digest algorithms a file's hash can be asked in (FTP's HASH and XSHA*
 * commands, the web's SHA-256), by their IANA textual names, and incremental
 * digests of each. Computation only; the caller feeds the bytes.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const HASH_ALGORITHMS = ['SHA-1', 'SHA-256', 'SHA-512', 'MD5', 'CRC32'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

/** SHA-256 by default: the draft forbids a default weaker than SHA-1. */
export const DEFAULT_HASH: HashAlgorithm = 'SHA-256';

export function parseHashAlgorithm(name: string): HashAlgorithm | null {
  const upper = name.trim().toUpperCase();
  return HASH_ALGORITHMS.find((a) => a === upper) ?? null;
}

export interface Digest {
  update(chunk: Buffer): void;
  /** Lower-case hex, as the draft asks. */
  hex(): string;
}

export function createDigest(algorithm: HashAlgorithm): Digest {
  if (algorithm === 'CRC32') {
    let value = 0;
    return {
      update: (chunk) => {
        value = crc32(chunk, value);
      },
      hex: () => value.toString(16).padStart(8, '0'),
    };
  }
  const hash = createHash(algorithm.replace('-', '').toLowerCase());
  return {
    update: (chunk) => hash.update(chunk),
    hex: () => hash.digest('hex'),
  };
}
